/** One stored webhook: a line of the session store (store.ts). */
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

/**
 * A summary's stat row as the store keeps it (made by row.ts's compactRow):
 * [version, status, time ms, duration s, leg seconds, billable minutes, answered 0/1, worst MOS, error code, error text, last action, country]
 */
export type CompactRow = [number, string, number, number | null, number, number, number, number | null, number | null, string | null, string | null, string | null]
