/**
 * The lifecycle behind `ivr sessions tail`: open the store and claim it, start the receiver,
 * optionally point the VSS webhook at it (guarded by a lease), and undo all of it in order on
 * stop. The command supplies the callbacks that print.
 */
import type {VoiceApi} from '../api/client.js'
import {listenError} from '../errors.js'
import {registerTemporarily, restoreLease, type Registered, type RestoreResult} from './lease.js'
import {startReceiver, type ReceiverOptions} from './receiver.js'
import {EventStore, type Warn} from './store.js'

export interface TailOptions extends Pick<ReceiverOptions, 'host' | 'port' | 'path' | 'authHeader' | 'forwardTo' | 'onEvent' | 'onForward' | 'onRejected' | 'onStoreError'> {
  storeFile: string
  pid: number
  warn: Warn
  /** Point the sub-account's VSS webhook here while running. */
  register?: {api: VoiceApi; configDir: string; account: string; baseUrl: string; publicUrl?: string; force?: boolean}
}

export interface StopResult {
  restored?: RestoreResult
  /** The registration could not be put back (the lease stays, for `ivr webhooks restore`). */
  restoreError?: unknown
}

export interface Tail {
  url: string
  storeFile: string
  registered?: Registered
  /** The URL registered (the public one, or the receiver's own for the sandbox). */
  registeredUrl?: string
  /** Finishes requests under way, flushes and releases the store, then puts the registration back. */
  stop(): Promise<StopResult>
}

export async function startTail(opts: TailOptions): Promise<Tail> {
  // Claims the store first: a second receiver is refused before it reads or repairs a byte.
  const store = await EventStore.open(opts.storeFile, {warn: opts.warn, pid: opts.pid})
  let receiver
  try {
    receiver = await startReceiver({...opts, store})
  } catch (error) {
    await store.close()
    throw listenError(error, opts.host, opts.port) ?? error
  }
  const shutDown = async () => {
    await receiver.close()
    await store.close()
  }

  let registered: Registered | undefined
  let registeredUrl: string | undefined
  if (opts.register) {
    const r = opts.register
    // The sandbox reaches loopback, so the receiver's own URL does there.
    registeredUrl = r.publicUrl ?? receiver.url.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://[::1]')
    try {
      registered = await registerTemporarily(r.api, {
        configDir: r.configDir, account: r.account, baseUrl: r.baseUrl, type: 'VSS', url: registeredUrl,
        httpAuthHeader: opts.authHeader, force: r.force, pid: opts.pid,
      })
    } catch (error) {
      await shutDown()
      throw error
    }
  }
  await store.announce(receiver.url, opts.pid)

  let stopped: Promise<StopResult> | undefined
  return {
    url: receiver.url,
    storeFile: opts.storeFile,
    registered,
    registeredUrl,
    stop() {
      stopped ??= (async () => {
        await shutDown()
        if (!registered) return {}
        try {
          return {restored: await restoreLease(opts.register!.api, registered.lease, registered.file)}
        } catch (error) {
          return {restoreError: error}
        }
      })()
      return stopped
    },
  }
}
