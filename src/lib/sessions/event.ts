// A stored webhook: a line of the session store (store.ts), and how one is made from a delivery (the
// receiver's work, kept out of store.ts so that reading the store loads no node:crypto).
import {createHash} from 'node:crypto'

import type {ParsedWebhook} from '../webhooks/parse.js'
import {compactRow} from './row.js'

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

/**
 * Two deliveries are the same event when: a summary has the same session id (the platform sends
 * one per session, perhaps twice); a call event has the same type and eventId; anything else has
 * the same type and the same body text.
 */
export function dedupeKey(parsed: ParsedWebhook, bodyText: string): string {
  if (parsed.kind === 'vss' && parsed.sessionId) return `${parsed.eventType}:${parsed.sessionId}`
  if (parsed.eventId) return `${parsed.eventType}:${parsed.sessionId ?? ''}:${parsed.eventId}`
  return `${parsed.eventType}:sha1:${createHash('sha1').update(bodyText).digest('hex')}`
}

export function makeStoredEvent(parsed: ParsedWebhook, opts: {bodyText: string; receivedAt?: Date; path?: string}): StoredEvent {
  const ev: StoredEvent = {key: dedupeKey(parsed, opts.bodyText), receivedAt: (opts.receivedAt ?? new Date()).toISOString(), type: parsed.eventType, body: parsed.raw}
  if (parsed.sessionId) ev.sessionId = parsed.sessionId
  if (opts.path) ev.path = opts.path
  if (parsed.summary) ev.row = compactRow(ev, parsed.summary)
  return ev
}
