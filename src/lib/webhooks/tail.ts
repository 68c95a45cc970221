/**
 * The lifecycle behind `ivr sessions tail`: claim and open the store, start the receiver,
 * optionally point the VSS webhook at it under a lease, and undo all of it in order on stop
 * (lease/serving.ts). The command supplies the callbacks that print.
 */
import {listenError, usageError} from '../errors.js'
import type {HeldLease} from '../lease/lease.js'
import {startServing, type ServingOptions, type StopResult} from '../lease/serving.js'
import {parseStatuses} from '../sessions/query.js'
import {EventStore, type StoredEvent, type Warn} from '../sessions/store.js'
import {EVENT_KIND_NAMES as KINDS, type EventKind, type ParsedWebhook} from './parse.js'
import {startReceiver, type ReceiverOptions} from './receiver.js'

export type {StopResult} from '../lease/serving.js'

export interface TailOptions extends Pick<ReceiverOptions, 'host' | 'port' | 'path' | 'router' | 'authHeader' | 'forwardTo' | 'onEvent' | 'onForward' | 'onRejected' | 'onStoreError'> {
  storeFile: string
  pid: number
  warn: Warn
  /** Point the sub-account's VSS webhook here while running (its url: the public one; default this receiver's). */
  lease?: Omit<NonNullable<ServingOptions<never>['lease']>, 'type'>
}

export interface Tail {
  url: string
  storeFile: string
  /** The registration borrowed while it runs (its lease). */
  held?: HeldLease
  /** Finishes requests under way, flushes and releases the store, then puts the registration back. */
  stop(): Promise<StopResult>
}

export async function startTail(opts: TailOptions): Promise<Tail> {
  const serving = await startServing({
    async start() {
      // Claims the store first: a second receiver is refused before it reads or repairs a byte.
      const store = await EventStore.open(opts.storeFile, {warn: opts.warn, pid: opts.pid})
      try {
        const receiver = await startReceiver({...opts, store})
        return {
          url: receiver.url,
          async close() {
            await receiver.close()
            await store.close()
          },
          announce: () => store.announce(receiver.url, opts.pid),
        }
      } catch (error) {
        await store.close()
        throw listenError(error, opts.host, opts.port) ?? error
      }
    },
    lease: opts.lease && {...opts.lease, type: 'VSS'},
  })
  await serving.server.announce()
  return {
    url: serving.server.url,
    storeFile: opts.storeFile,
    held: serving.held,
    stop: () => serving.stop(),
  }
}

/**
 * Which received webhooks are printed (everything is stored): `kinds` a comma-separated list of
 * vss, vca, vcs, other (default all); `statuses` summaries' statuses (default all).
 */
export function printFilter(kinds: string | undefined, statuses: string | undefined): (parsed: ParsedWebhook) => boolean {
  const wanted = new Set<EventKind>()
  for (const k of (kinds ?? KINDS.join(',')).split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)) {
    if (!(KINDS as readonly string[]).includes(k)) throw usageError(`--events "${k}" is not an event kind.`, [`Use one or more of ${KINDS.join(', ')}.`])
    wanted.add(k as EventKind)
  }
  const statusSet = parseStatuses(statuses)
  return (parsed) => wanted.has(parsed.kind) && !(parsed.kind === 'vss' && statusSet && !statusSet.has(parsed.summary?.sessionStatus ?? ''))
}

/** The NDJSON record `sessions tail --json` prints: the body as received, plus when it came. */
export function tailRecord(ev: StoredEvent): Record<string, unknown> {
  return ev.body && typeof ev.body === 'object' && !Array.isArray(ev.body) ? {...ev.body, receivedAt: ev.receivedAt} : {body: ev.body, receivedAt: ev.receivedAt}
}
