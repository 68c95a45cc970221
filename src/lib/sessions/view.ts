/**
 * What people see of a session: one line for `sessions tail` (and `send-callflow --wait`), a whole
 * session for `sessions show`, the tables of `sessions list` and `stats`. The numbers come from
 * row.ts (sessionRow); this module only renders. Everything returns strings; remote text goes through safeLine, numbers are masked unless asked.
 */
import {lookupCode} from '../codes.js'
import {bar, type Charset} from '../render/chart.js'
import type {Colors} from '../render/colors.js'
import {maskNumber, safeLine} from '../render/safe.js'
import {renderTable, type Column} from '../render/table.js'
import type {SessionStats} from './query.js'
import {readCallEvent, readSummary, type ReadLeg} from '../webhooks/parse.js'
import {mosBand} from '../webhooks/payloads.js'
import {sessionRow, type SessionRow} from './row.js'
import type {StoredEvent} from './event.js'
import {clockTime, formatSeconds, listTime, localDay} from '../render/time.js'

export interface ViewOptions {
  colors: Colors
  /** Show phone numbers whole (default: masked, +65****8965). */
  showNumbers?: boolean
  /** Times in UTC, ISO 8601 (--utc). */
  utc?: boolean
}

// ---- small formatters -----------------------------------------------------------------------

export const formatDuration = (sec: number | undefined): string => (sec === undefined ? '-' : formatSeconds(sec))

/** Local wall-clock time, HH:MM:SS. */
export function localTime(iso: string | undefined): string {
  const d = iso ? new Date(iso) : undefined
  if (!d || Number.isNaN(d.getTime())) return '--:--:--'
  return clockTime(d)
}

/** Local date and time, YYYY-MM-DD HH:MM:SS. */
export function localDateTime(iso: string | undefined): string {
  const d = iso ? new Date(iso) : undefined
  if (!d || Number.isNaN(d.getTime())) return iso ? safeLine(iso) : '-'
  return `${localDay(d)} ${clockTime(d)}`
}

export const shortId = (id: string | undefined) => (id ? safeLine(id).slice(0, 8) : '--------')

export function phone(value: string | undefined, showNumbers?: boolean): string {
  if (!value) return '?'
  return showNumbers ? safeLine(value) : maskNumber(value)
}

/** The colour a status is shown in: green success, yellow the callee's doing, red the platform's or the call's failure. */
export function statusColor(status: string, c: Colors): (s: string) => string {
  if (status === 'COMPLETED') return c.green
  if (status === 'BUSY' || status === 'NO_ANSWER' || status === 'CANCELED' || status.startsWith('COMPLETED_') || status === 'UNSUBSCRIBED_CONTACT') return c.yellow
  if (status === 'FAILED' || status === 'ERROR') return c.red
  return (s: string) => s
}

export function bandColor(band: string | undefined, c: Colors): (s: string) => string {
  if (band === 'excellent' || band === 'good') return c.green
  if (band === 'fair') return c.yellow
  if (band === 'poor' || band === 'bad') return c.red
  return (s: string) => s
}

export const OUTCOMES: Record<string, string> = {
  COMPLETED: 'The call was answered and the session ran to its end.',
  BUSY: 'The callee was busy.',
  NO_ANSWER: 'Nobody answered.',
  FAILED: 'The call could not be made.',
  CANCELED: 'The session was canceled before it ended normally.',
  ERROR: 'The platform reported an error while running the session.',
  COMPLETED_UNSUBSCRIBED: 'Completed; the callee unsubscribed.',
  COMPLETED_UNSUB_ERROR: 'Completed; the callee tried to unsubscribe, and that failed.',
  UNSUBSCRIBED_CONTACT: 'Not called: the contact had unsubscribed.',
}

// ---- one line -------------------------------------------------------------------------------

/** One session summary on one line: time, status, short id, caller → callee, duration, legs, MOS, error, last action. */
export function summaryLine(ev: StoredEvent, opts: ViewOptions): string {
  const c = opts.colors
  const r = sessionRow(ev)
  const parts = [
    c.dim(localTime(ev.receivedAt)),
    statusColor(r.status, c)(safeLine(r.status).padEnd(9)),
    shortId(r.sessionId),
    `${phone(r.source, opts.showNumbers)} → ${phone(r.destination, opts.showNumbers)}`,
    formatDuration(r.durationSec),
    `${r.legs} leg${r.legs === 1 ? '' : 's'}`,
  ]
  if (r.mos !== undefined) parts.push(bandColor(r.mosBand, c)(`MOS ${r.mos.toFixed(1)} ${r.mosBand}`))
  if (r.errorCode !== undefined || r.errorMsg) {
    parts.push(c.red(`${r.errorCode ?? ''} ${safeLine(r.errorMeaning ?? r.errorMsg ?? '')}`.trim()))
  }
  if (r.lastAction) parts.push(`last ${safeLine(r.lastAction)}`)
  return parts.join('  ')
}

/** Any stored event on one line: summaries as above, call events by status and digits, unknown types raw. */
export function eventLine(ev: StoredEvent, opts: ViewOptions): string {
  if (ev.type === 'SESSION_SUMMARY') return summaryLine(ev, opts)
  const c = opts.colors
  const time = c.dim(localTime(ev.receivedAt))
  if (ev.type === 'CALL_ACTION' || ev.type === 'CALL_STATUS') {
    const e = readCallEvent(ev.body)
    const parts = [time, c.bold(ev.type), shortId(e.sessionId), safeLine(e.callStatus ?? '?'), `${phone(e.source, opts.showNumbers)} → ${phone(e.destination, opts.showNumbers)}`]
    if (e.digits !== undefined) parts.push(`digits ${safeLine(e.digits)}`)
    if (e.clientActionId) parts.push(`action ${safeLine(e.clientActionId)}`)
    return parts.join('  ')
  }
  const raw = JSON.stringify(ev.body) ?? ''
  return [time, c.bold(safeLine(ev.type)), safeLine(raw.length > 300 ? `${raw.slice(0, 299)}…` : raw)].join('  ')
}

// ---- a whole session ------------------------------------------------------------------------

function legColumns(opts: ViewOptions): Column<{name: string; leg: ReadLeg}>[] {
  const c = opts.colors
  return [
    {header: 'Leg', get: (r) => r.name},
    {header: 'Direction', get: (r) => r.leg.callDirection},
    {header: 'From', get: (r) => phone(r.leg.source, opts.showNumbers)},
    {header: 'To', get: (r) => phone(r.leg.destination, opts.showNumbers)},
    {header: 'Connected', get: (r) => (r.leg.connectedTimestamp ? localDateTime(r.leg.connectedTimestamp) : 'never')},
    {header: 'Disconnected', get: (r) => (r.leg.disconnectedTimestamp ? localDateTime(r.leg.disconnectedTimestamp) : '-')},
    {header: 'Duration', get: (r) => formatDuration(r.leg.callDuration)},
    {header: 'Status', get: (r) => r.leg.callStatus},
    {header: 'MOS', get: (r) => (r.leg.callQuality?.mos === undefined ? '-' : `${r.leg.callQuality.mos.toFixed(1)} ${mosBand(r.leg.callQuality.mos)}`), style: (t, r) => bandColor(mosBand(r.leg.callQuality?.mos), c)(t)},
    {header: 'Loss', get: (r) => (r.leg.callQuality?.packetLossRate === undefined ? '-' : `${r.leg.callQuality.packetLossRate}%`)},
    {header: 'Jitter', get: (r) => (r.leg.callQuality?.jitter === undefined ? '-' : `${r.leg.callQuality.jitter} ms`)},
  ]
}

/**
 * Everything stored about one session: the summary's fields, the legs table, the outcome and the
 * error code explained, and the call events received before it.
 */
export function renderSession(events: StoredEvent[], opts: ViewOptions): string {
  const c = opts.colors
  const summaryEv = events.find((e) => e.type === 'SESSION_SUMMARY')
  const others = events.filter((e) => e !== summaryEv)
  const lines: string[] = []
  const field = (name: string, value: string) => lines.push(`${c.bold(name.padEnd(13))} ${value}`)
  if (summaryEv) {
    const s = readSummary(summaryEv.body)
    const r = sessionRow(summaryEv, s)
    field('Session', safeLine(r.sessionId))
    field('Status', statusColor(r.status, c)(safeLine(r.status)))
    field('Outcome', OUTCOMES[r.status] ?? 'An outcome this tool does not know; see the raw summary with --json.')
    if (r.errorCode !== undefined || r.errorMsg) {
      const info = lookupCode(r.errorCode)
      field('Error', c.red(`${r.errorCode ?? ''} ${info?.meaning ?? ''}`.trim()) + (r.errorMsg ? ` (platform: "${safeLine(r.errorMsg)}")` : ''))
      if (info) field('', info.explanation)
    }
    field('Started', localDateTime(s.startTime))
    field('Ended', localDateTime(s.endTime))
    field('Duration', formatDuration(r.durationSec))
    field('Last action', safeLine(r.lastAction ?? '-'))
    if (s.callCount !== undefined) field('Calls', String(s.callCount))
    if (r.clientRequestId) field('Request id', safeLine(r.clientRequestId))
    field('Received', localDateTime(summaryEv.receivedAt))
    lines.push('')
    if (s.legs.length > 0) {
      const rows = s.legs.map((leg, i) => ({name: String.fromCharCode(65 + i), leg}))
      lines.push(renderTable(legColumns(opts), rows, {color: c.level > 0, bold: c.bold}))
    } else {
      lines.push('No legs in the summary.')
    }
  } else {
    field('Session', safeLine(events[0]?.sessionId ?? ''))
    field('Status', c.yellow('no summary received yet'))
  }
  if (others.length > 0) {
    lines.push('', c.bold('Events'))
    for (const e of others) lines.push(`  ${eventLine(e, opts)}`)
  }
  return lines.join('\n')
}

// ---- list and stats -------------------------------------------------------------------------

export function sessionColumns(opts: ViewOptions): Column<SessionRow>[] {
  const c = opts.colors
  return [
    {header: 'Ended', get: (r) => (opts.utc ? listTime(r.endTime ?? r.receivedAt, true) : localDateTime(r.endTime ?? r.receivedAt))},
    {header: 'Session', get: (r) => r.sessionId},
    {header: 'Status', get: (r) => r.status, style: (t, r) => statusColor(r.status, c)(t)},
    {header: 'From', get: (r) => phone(r.source, opts.showNumbers)},
    {header: 'To', get: (r) => phone(r.destination, opts.showNumbers)},
    {header: 'Duration', get: (r) => formatDuration(r.durationSec)},
    {header: 'Legs', get: (r) => r.legs},
    {header: 'MOS', get: (r) => (r.mos === undefined ? '' : `${r.mos.toFixed(1)} ${r.mosBand}`), style: (t, r) => bandColor(r.mosBand, c)(t)},
    {header: 'Error', get: (r) => (r.errorCode === undefined ? '' : `${r.errorCode} ${r.errorMeaning ?? ''}`.trim())},
    {header: 'Last action', get: (r) => r.lastAction},
  ]
}

/** Columns for --csv: full ISO times and plain numbers, for spreadsheets and scripts. */
export function sessionCsvColumns(opts: {showNumbers?: boolean}): Column<SessionRow>[] {
  return [
    {header: 'sessionId', get: (r) => r.sessionId},
    {header: 'status', get: (r) => r.status},
    {header: 'startTime', get: (r) => r.startTime},
    {header: 'endTime', get: (r) => r.endTime},
    {header: 'receivedAt', get: (r) => r.receivedAt},
    {header: 'source', get: (r) => (r.source && !opts.showNumbers ? phone(r.source) : r.source)},
    {header: 'destination', get: (r) => (r.destination && !opts.showNumbers ? phone(r.destination) : r.destination)},
    {header: 'country', get: (r) => r.country},
    {header: 'durationSec', get: (r) => r.durationSec},
    {header: 'legs', get: (r) => r.legs},
    {header: 'mos', get: (r) => r.mos},
    {header: 'mosBand', get: (r) => r.mosBand},
    {header: 'errorCode', get: (r) => r.errorCode},
    {header: 'errorMeaning', get: (r) => r.errorMeaning},
    {header: 'lastAction', get: (r) => r.lastAction},
    {header: 'clientRequestId', get: (r) => r.clientRequestId},
  ]
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

/** The stats for people: the headline figures, then a bar chart of the chosen grouping. */
export function renderStats(s: SessionStats, opts: {colors: Colors; width?: number; charset?: Charset}): string {
  const c = opts.colors
  const lines: string[] = []
  const field = (name: string, value: string) => lines.push(`${c.bold(name.padEnd(18))} ${value}`)
  field('Sessions', String(s.sessions))
  if (s.from && s.to) field('Between', `${localDateTime(s.from)} and ${localDateTime(s.to)}`)
  field('Answered', `${s.answered} (${pct(s.answerRate)})`)
  field('Minutes', `${s.totalMinutes} connected, ${s.billableMinutes} billable-looking (per leg, whole minutes started)`)
  field('Duration', `median ${formatDuration(s.medianDurationSec)}, p95 ${formatDuration(s.p95DurationSec)} (answered sessions)`)
  const bands = (['excellent', 'good', 'fair', 'poor', 'bad', 'unknown'] as const).filter((b) => s.mosBands[b] > 0)
  field('MOS', bands.length === 0 ? '-' : bands.map((b) => bandColor(b, c)(`${b} ${s.mosBands[b]}`)).join(', '))
  if (s.topErrors.length > 0) {
    lines.push(c.bold('Top errors'))
    for (const e of s.topErrors) lines.push(`  ${String(e.count).padStart(7)}  ${c.red(safeLine(String(e.code)))} ${safeLine(e.meaning ?? '')}`.trimEnd())
  }
  if (s.groups.length > 0) {
    lines.push('', c.bold(`By ${s.by}`))
    const max = Math.max(...s.groups.map((g) => g.sessions))
    const keyWidth = Math.min(24, Math.max(...s.groups.map((g) => safeLine(g.key).length)))
    const countWidth = String(max).length
    for (const g of s.groups) {
      const label = safeLine(g.key).slice(0, 24).padEnd(keyWidth)
      const colour = s.by === 'status' ? statusColor(g.key, c) : c.cyan
      lines.push(`  ${label}  ${String(g.sessions).padStart(countWidth)}  ${colour(bar(g.sessions, max, opts.width ?? 30, opts.charset))} ${c.dim(pct(s.sessions ? g.sessions / s.sessions : 0))}`.trimEnd())
    }
  }
  return lines.join('\n')
}
