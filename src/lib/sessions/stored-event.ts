// How a delivery becomes a stored event (the receiver's work): kept out of store.ts, so that reading
// the store loads no node:crypto.
import {createHash} from 'node:crypto'

import type {ParsedWebhook} from '../webhooks/parse.js'
import type {StoredEvent} from './event.js'
import {compactRow} from './row.js'

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
