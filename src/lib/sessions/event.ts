/** One stored webhook: a line of the session store (store.ts). */
import type {CompactRow} from './row.js'

export interface StoredEvent {
  /** What makes two deliveries "the same" (see dedupeKey). */
  key: string
  /** ISO time the receiver got it. */
  receivedAt: string
  /** SESSION_SUMMARY, CALL_ACTION, CALL_STATUS, or the unknown type as received. */
  type: string
  sessionId?: string
  /** The request path it arrived on. */
  path?: string
  /** The body exactly as received (parsed JSON). */
  body: unknown
  /** A summary's stat row (row.ts), made when it is received. */
  row?: CompactRow
  /** The body's length in the line (store.ts writes it; a reader checks a line is whole by it). */
  bodyBytes?: number
}


export type Warn = (message: string) => void
