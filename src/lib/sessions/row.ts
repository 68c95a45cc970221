/**
 * A session summary flattened into the numbers every view and statistic uses (sessionRow: talk
 * time, legs, billable-looking minutes, worst MOS, error), and the compact form of those numbers.
 *
 * The few numbers `sessions stats` and `list` filter and count by, stored beside each summary's
 * body (the store line's "row") so a million summaries are answered without parsing a million
 * bodies. Always derived from the body by sessionRow(); a row of another version, or none, means
 * the body is read instead: the body stays the one source of truth.
 */
import {lookupCode} from '../codes.js'
import {readSummary, type ReadLeg, type ReadSummary} from '../webhooks/parse.js'
import {mosBand} from '../webhooks/payloads.js'
import type {CompactRow, StoredEvent} from './event.js'

export type {CompactRow}

/** One session summary, flattened: what list, stats and the one-line view show. */
export interface SessionRow {
  sessionId: string
  status: string
  receivedAt: string
  startTime?: string
  endTime?: string
  source?: string
  destination?: string
  /** Country of the far end: the destination's for outbound calls, the caller's for inbound. */
  country?: string
  /** Seconds the first leg was connected (talk time), else the session's span. */
  durationSec?: number
  /** Sum over legs of whole minutes started (how per-minute billing would count them). */
  billableMinutes: number
  /** Connected seconds summed over the legs. */
  legSeconds: number
  legs: number
  answered: boolean
  /** The worst MOS over the legs. */
  mos?: number
  mosBand?: string
  errorCode?: number
  errorMeaning?: string
  errorMsg?: string
  lastAction?: string
  clientRequestId?: string
}

function spanSec(a?: string, b?: string): number | undefined {
  const s = a ? Date.parse(a) : Number.NaN
  const e = b ? Date.parse(b) : Number.NaN
  return Number.isFinite(s) && Number.isFinite(e) && e >= s ? Math.round((e - s) / 1000) : undefined
}

export function sessionRow(ev: StoredEvent, summary: ReadSummary = readSummary(ev.body)): SessionRow {
  const a: ReadLeg | undefined = summary.legs[0]
  const moses = summary.legs.map((l) => l.callQuality?.mos).filter((m): m is number => m !== undefined)
  const mos = moses.length > 0 ? Math.min(...moses) : undefined
  const code = summary.errorDetails?.errorCode
  let billableMinutes = 0
  let legSeconds = 0
  for (const l of summary.legs) {
    if (l.callDuration && l.callDuration > 0) {
      billableMinutes += Math.ceil(l.callDuration / 60)
      legSeconds += l.callDuration
    }
  }
  const status = summary.sessionStatus ?? 'UNKNOWN'
  return {
    sessionId: summary.sessionId ?? ev.sessionId ?? '',
    status,
    receivedAt: ev.receivedAt,
    startTime: summary.startTime,
    endTime: summary.endTime,
    source: a?.source,
    destination: a?.destination,
    country: a?.callDirection === 'INBOUND' ? a?.sourceCountryCode : a?.destinationCountryCode ?? a?.sourceCountryCode,
    durationSec: a?.callDuration ?? spanSec(summary.startTime, summary.endTime),
    billableMinutes,
    legSeconds,
    legs: summary.legs.length || (summary.callCount ?? 0),
    answered: Boolean(a?.connectedTimestamp) || (status === 'COMPLETED' && (a?.callDuration ?? 0) > 0),
    mos,
    mosBand: mosBand(mos),
    errorCode: code,
    errorMeaning: lookupCode(code)?.meaning,
    errorMsg: summary.errorDetails?.errorMsg,
    lastAction: summary.lastAction,
    clientRequestId: summary.clientRequestId ?? undefined,
  }
}

export const ROW_VERSION = 1


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
