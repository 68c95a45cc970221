/**
 * The lifecycle of a local server that may borrow a webhook while it runs, written once for
 * `sessions tail`, `serve`, `send-callflow --menu` and campaigns:
 *
 *   1. the caller listens for stop signals first (so a Ctrl-C at any later point still undoes all),
 *   2. the server starts listening,
 *   3. the webhook is pointed at it under a lease (its reachable URL, or the public one given),
 *   4. ... it serves until asked to stop ...
 *   5. the server stops (requests under way are finished and acknowledged),
 *   6. the lease is released: the previous registration is put back.
 *
 * If step 3 fails the server is closed before the error is passed on.
 */
import {reachableUrl} from '../http/address.js'
import {acquireLease, type HeldLease, type LeaseRequest, type RestoreResult, type WebhookApi} from './lease.js'

export interface Closable {
  /** The URL it listens on (what a local client uses, once made reachable). */
  url: string
  close(): Promise<void>
}

export interface ServingOptions<S extends Closable> {
  /** Starts the server; it listens when this resolves. */
  start(): Promise<S>
  /** Point a webhook at the server while it runs. `url` defaults to the server's reachable URL. */
  lease?: Omit<LeaseRequest, 'url'> & {api: WebhookApi; url?: string}
}

export interface StopResult {
  restored?: RestoreResult
  /** The registration could not be put back (the lease file stays, for `ivr webhooks restore`). */
  restoreError?: unknown
}

export interface Serving<S extends Closable> {
  server: S
  held?: HeldLease
  /** Stops the server, then releases the lease. Once; later calls get the same result. */
  stop(): Promise<StopResult>
}

export async function startServing<S extends Closable>(opts: ServingOptions<S>): Promise<Serving<S>> {
  const server = await opts.start()
  let held: HeldLease | undefined
  if (opts.lease) {
    const {api, url, ...request} = opts.lease
    try {
      held = await acquireLease(api, {...request, url: url ?? reachableUrl(server.url)})
    } catch (error) {
      await server.close()
      throw error
    }
  }
  let stopped: Promise<StopResult> | undefined
  return {
    server,
    held,
    stop() {
      stopped ??= (async () => {
        await server.close()
        if (!held) return {}
        try {
          return {restored: await held.release()}
        } catch (error) {
          return {restoreError: error}
        }
      })()
      return stopped
    },
  }
}
