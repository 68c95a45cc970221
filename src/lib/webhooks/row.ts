/**
 * The few numbers `sessions stats` and `list` filter and count by, stored beside each summary's
 * body (the store line's "row") so a million summaries are answered without parsing a million
 * bodies. Always derived from the body by sessionRow(); a row of another version, or none, means
 * the body is read instead: the body stays the one source of truth.
 */
import type {ReadSummary} from './parse.js'
import type {StoredEvent} from './store.js'
import {sessionRow, type SessionRow} from './view.js'

export const ROW_VERSION = 1

/** [version, status, time ms, duration s, leg seconds, billable minutes, answered 0/1, worst MOS, error code, error text, last action, country] */
export type CompactRow = [number, string, number, number | null, number, number, number, number | null, number | null, string | null, string | null, string | null]

/** What statistics and filters need of a session. */
export interface StatRow {
  status: string
  /** When it happened (its end, else when it was received), ms since the epoch. */
  time: number
  durationSec?: number
  legSeconds: number
  billableMinutes: number
  answered: boolean
  mos?: number
  errorCode?: number
  errorMsg?: string
  lastAction?: string
  country?: string
}

// Row strings hold no quotes, backslashes or brackets, so a reader can find the row's end by its first "]".
const tidy = (s: string | undefined): string | null => (s === undefined ? null : s.replace(/[^\x20-\x7e]|["\\[\]]/g, '').slice(0, 64))
const finite = (n: number | undefined): number | null => (n === undefined || !Number.isFinite(n) ? null : n)

export function timeOf(row: Pick<SessionRow, 'endTime' | 'receivedAt'>): number {
  const t = row.endTime ? Date.parse(row.endTime) : Number.NaN
  return Number.isFinite(t) ? t : Date.parse(row.receivedAt)
}

export function statRowOf(r: SessionRow): StatRow {
  return {
    status: r.status, time: timeOf(r), durationSec: r.durationSec, legSeconds: r.legSeconds, billableMinutes: r.billableMinutes,
    answered: r.answered, mos: r.mos, errorCode: r.errorCode, errorMsg: r.errorMsg, lastAction: r.lastAction, country: r.country,
  }
}

/** The compact row of a stored summary (undefined for other events). */
export function compactRow(ev: StoredEvent, summary?: ReadSummary): CompactRow | undefined {
  if (ev.type !== 'SESSION_SUMMARY') return undefined
  const s = statRowOf(sessionRow(ev, summary))
  return [ROW_VERSION, tidy(s.status) ?? '', finite(s.time) ?? 0, finite(s.durationSec), s.legSeconds, s.billableMinutes, s.answered ? 1 : 0,
    finite(s.mos), finite(s.errorCode), s.errorCode === undefined ? tidy(s.errorMsg) : null, tidy(s.lastAction), tidy(s.country)]
}

export function fromCompact(c: unknown): StatRow | undefined {
  if (!Array.isArray(c) || c[0] !== ROW_VERSION || c.length !== 12) return undefined
  const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v)
  return {
    status: c[1], time: c[2], durationSec: opt(c[3]), legSeconds: c[4], billableMinutes: c[5], answered: c[6] === 1,
    mos: opt(c[7]), errorCode: opt(c[8]), errorMsg: opt(c[9]), lastAction: opt(c[10]), country: opt(c[11]),
  }
}
