/**
 * Questions asked of the store: list, find one session, statistics. Every one streams the file
 * once; memory holds only the answer (the N rows asked for, counters and a duration histogram).
 */
import {lookupCode} from '../codes.js'
import {notFound, usageError} from '../errors.js'
import {readSummary} from '../webhooks/parse.js'
import {mosBand, SESSION_STATUSES} from '../webhooks/payloads.js'
import {fromCompact, statRowOf, type StatRow} from './row.js'
import {forEachLine, parseStoredLine, readEvents, SUMMARIES_ONLY, wholeLine, type StoredEvent, type Warn} from './store.js'
import {sessionRow, type SessionRow} from './row.js'
import {parseDurationMs} from '../duration.js'
import {localDay, pad2} from '../render/time.js'


/** `--since`: a span back from now (90s, 30m, 1h, 2d, 1w), a day (2026-11-01, local midnight) or an ISO date-time. */
export function parseSince(value: string, now: Date = new Date()): Date {
  const v = value.trim()
  const span = parseDurationMs(v)
  if (span !== undefined) return new Date(now.getTime() - span)
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
  if (day) {
    const d = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]))
    if (d.getMonth() === Number(day[2]) - 1) return d
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v)
    if (Number.isFinite(t)) return new Date(t)
  }
  throw usageError(`--since "${value}" is not a time span or a date.`, ['Use a span like 30m, 1h, 2d, 1w, a day like 2026-11-01, or a date-time like 2026-11-01T09:00:00Z.'])
}

/** `--status COMPLETED,BUSY`: known statuses, any case; an unknown one is a usage error naming the known ones. */
export function parseStatuses(value: string | undefined): Set<string> | undefined {
  if (!value) return undefined
  const out = new Set<string>()
  for (const s of value.split(',').map((x) => x.trim().toUpperCase().replace(/-/g, '_')).filter(Boolean)) {
    if (!(SESSION_STATUSES as readonly string[]).includes(s)) throw usageError(`"${s}" is not a session status.`, [`Use one or more of ${SESSION_STATUSES.join(', ')}, comma separated.`])
    out.add(s)
  }
  return out
}

export interface Filter {
  since?: Date
  statuses?: Set<string>
}

function keep(row: StatRow, f: Filter): boolean {
  if (f.statuses && !f.statuses.has(row.status)) return false
  if (f.since && !(row.time >= f.since.getTime())) return false
  return true
}

const SUMMARY_PREFIX = Buffer.from('{"key":"SESSION_SUMMARY:')
const ROW_MARKER = Buffer.from('"row":[')

/**
 * Every stored summary passing the filter, oldest first, as its stat row and a way to read the
 * whole event. Lines the store wrote carry a row: only that small array is parsed; other lines
 * (older writers, hand-made files) are parsed whole.
 */
export async function scanSummaries(file: string, f: Filter, fn: (row: StatRow, line: () => string, sessionId: () => string | undefined, lineNo: number) => void, warn?: Warn): Promise<void> {
  await forEachLine(file, (buf, start, end, lineNo, torn) => {
    // A line that is not whole (cut short, even right after a "}") is parsed, so the damage is reported (with its line).
    const whole = !torn && wholeLine(buf, start, end)
    const storedSummary = buf.compare(SUMMARY_PREFIX, 0, SUMMARY_PREFIX.length, start, Math.min(end, start + SUMMARY_PREFIX.length)) === 0
    if (whole && storedSummary) {
      const at = buf.indexOf(ROW_MARKER, start)
      const close = at !== -1 && at < end ? buf.indexOf(93, at) : -1
      if (close !== -1 && close < end) {
        let row: StatRow | undefined
        try {
          row = fromCompact(JSON.parse(buf.toString('utf8', at + ROW_MARKER.length - 1, close + 1)))
        } catch {
          row = undefined
        }
        if (row) {
          // line() and sessionId() are valid only during this call: the buffer is reused.
          if (keep(row, f)) fn(row, () => buf.toString('utf8', start, end), () => sessionIdOfLine(buf, start, end), lineNo)
          return
        }
      }
    }
    const text = buf.toString('utf8', start, end)
    if (whole && !storedSummary && !SUMMARIES_ONLY(text)) return // another kind of event
    const ev = parseStoredLine({text, lineNo, torn}, file, warn)
    if (!ev || ev.type !== 'SESSION_SUMMARY') return
    const summary = readSummary(ev.body)
    const row = statRowOf(sessionRow(ev, summary))
    if (keep(row, f)) fn(row, () => text, () => summary.sessionId ?? ev.sessionId, lineNo)
  })
}

/** The session id of a store line, read from its key (`SESSION_SUMMARY:<id>`) when plain, else from the parsed line. */
function sessionIdOfLine(buf: Buffer, start: number, end: number): string | undefined {
  const from = start + SUMMARY_PREFIX.length
  const close = buf.indexOf(34, from)
  if (close !== -1 && close < end && buf.subarray(from, close).indexOf(92) === -1) return buf.toString('utf8', from, close)
  try {
    const ev = JSON.parse(buf.toString('utf8', start, end))
    return typeof ev.sessionId === 'string' ? ev.sessionId : undefined
  } catch {
    return undefined
  }
}

/** Every stored summary passing the filter, as rows, oldest first. */
export async function* summaryRows(file: string, f: Filter = {}, warn?: Warn): AsyncGenerator<{row: SessionRow; ev: StoredEvent}> {
  for await (const ev of readEvents(file, {warn, prefilter: SUMMARIES_ONLY})) {
    if (ev.type !== 'SESSION_SUMMARY') continue
    const row = sessionRow(ev, readSummary(ev.body))
    if (keep(statRowOf(row), f)) yield {row, ev}
  }
}

/**
 * The newest `limit` summaries passing the filter, newest first by the session's own time (its end,
 * else when it was received), not by when it reached the store: summaries arrive late and out of
 * order. 0 = all, in which case memory grows with the answer.
 */
export async function listSessions(file: string, opts: Filter & {limit: number; warn?: Warn}): Promise<SessionRow[]> {
  // Only the kept lines are parsed whole, at the end. `kept` is ordered newest first; of two with the
  // same time, the one stored later counts as newer.
  const kept: Array<{time: number; text: string; lineNo: number}> = []
  const newer = (a: {time: number; lineNo: number}, b: {time: number; lineNo: number}) => a.time > b.time || (a.time === b.time && a.lineNo > b.lineNo)
  await scanSummaries(file, opts, (row, line, _id, lineNo) => {
    const entry = {time: row.time, lineNo, text: ''}
    if (opts.limit > 0 && kept.length === opts.limit && !newer(entry, kept.at(-1)!)) return
    let lo = 0
    let hi = kept.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (newer(kept[mid], entry)) lo = mid + 1
      else hi = mid
    }
    entry.text = line()
    kept.splice(lo, 0, entry)
    if (opts.limit > 0 && kept.length > opts.limit) kept.pop()
  }, opts.warn)
  const rows: SessionRow[] = []
  for (const {text, lineNo} of kept) {
    const ev = parseStoredLine({text, lineNo, torn: false}, file, opts.warn)
    if (ev) rows.push(sessionRow(ev))
  }
  return rows
}

/**
 * Every stored event of one session, oldest first. The id may be a unique prefix (tail shows 8
 * characters); an ambiguous prefix is a usage error, an unknown id exit 5.
 */
export async function findSession(file: string, id: string, warn?: Warn): Promise<{sessionId: string; events: StoredEvent[]}> {
  const want = id.trim()
  if (want.length < 4) throw usageError('Give at least 4 characters of the session id.')
  const bySession = new Map<string, StoredEvent[]>()
  for await (const ev of readEvents(file, {warn, prefilter: (t) => t.includes(want)})) {
    if (!ev.sessionId || !ev.sessionId.startsWith(want)) continue
    const list = bySession.get(ev.sessionId) ?? []
    list.push(ev)
    bySession.set(ev.sessionId, list)
  }
  const exact = bySession.get(want)
  if (exact) return {sessionId: want, events: exact}
  if (bySession.size === 1) {
    const [[sessionId, events]] = [...bySession]
    return {sessionId, events}
  }
  if (bySession.size > 1) throw usageError(`"${want}" matches ${bySession.size} sessions.`, [`Give more of the id: ${[...bySession.keys()].slice(0, 5).join(', ')}${bySession.size > 5 ? ', ...' : ''}.`])
  throw notFound(`No session "${want}" in ${file}.`, ['List what is stored with `ivr sessions list`; summaries arrive while `ivr sessions tail` runs.'])
}

// ---- statistics ------------------------------------------------------------------------------

export const GROUPINGS = ['status', 'hour', 'day', 'country', 'last-action'] as const
export type Grouping = (typeof GROUPINGS)[number]

export interface Group {
  key: string
  sessions: number
  answered: number
  minutes: number
}

export interface SessionStats {
  sessions: number
  answered: number
  /** answered / sessions, 0..1 (0 when there are none). */
  answerRate: number
  /** Connected time over all legs, in minutes. */
  totalMinutes: number
  /** Whole minutes started, per leg, summed: what per-minute billing would count. */
  billableMinutes: number
  /** Over answered sessions' durations, in seconds. */
  medianDurationSec?: number
  p95DurationSec?: number
  mosBands: Record<'excellent' | 'good' | 'fair' | 'poor' | 'bad' | 'unknown', number>
  topErrors: Array<{code: number | string; meaning?: string; count: number}>
  by: Grouping
  groups: Group[]
  from?: string
  to?: string
}

function groupKey(row: StatRow, by: Grouping): string {
  switch (by) {
    case 'status': return row.status
    case 'country': return row.country ?? 'unknown'
    case 'last-action': return row.lastAction ?? 'unknown'
    case 'hour': case 'day': {
      const d = new Date(row.time)
      if (Number.isNaN(d.getTime())) return 'unknown'
      return by === 'hour' ? `${pad2(d.getHours())}:00` : localDay(d)
    }
  }
}

/** The q-quantile (nearest rank) of a histogram of whole seconds. */
function quantile(hist: Map<number, number>, count: number, q: number): number | undefined {
  if (count === 0) return undefined
  const rank = Math.max(1, Math.ceil(q * count))
  let seen = 0
  for (const sec of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(sec)!
    if (seen >= rank) return sec
  }
  return undefined
}

export async function computeStats(file: string, opts: Filter & {by: Grouping; topErrors?: number; warn?: Warn}): Promise<SessionStats> {
  const s: SessionStats = {
    sessions: 0, answered: 0, answerRate: 0, totalMinutes: 0, billableMinutes: 0,
    mosBands: {excellent: 0, good: 0, fair: 0, poor: 0, bad: 0, unknown: 0}, topErrors: [], by: opts.by, groups: [],
  }
  const hist = new Map<number, number>()
  const errors = new Map<string, number>()
  const groups = new Map<string, Group>()
  let from = Infinity
  let to = -Infinity
  let totalSec = 0
  await scanSummaries(file, opts, (row) => {
    s.sessions++
    totalSec += row.legSeconds
    s.billableMinutes += row.billableMinutes
    if (row.answered) {
      s.answered++
      const d = Math.round(row.durationSec ?? 0)
      hist.set(d, (hist.get(d) ?? 0) + 1)
    }
    s.mosBands[mosBand(row.mos) ?? 'unknown']++
    if (row.errorCode !== undefined || row.errorMsg) {
      const k = String(row.errorCode ?? row.errorMsg)
      errors.set(k, (errors.get(k) ?? 0) + 1)
    }
    const key = groupKey(row, opts.by)
    const g = groups.get(key) ?? {key, sessions: 0, answered: 0, minutes: 0}
    g.sessions++
    if (row.answered) g.answered++
    g.minutes += (row.durationSec ?? 0) / 60
    groups.set(key, g)
    if (row.time < from) from = row.time
    if (row.time > to) to = row.time
  }, opts.warn)
  s.answerRate = s.sessions ? s.answered / s.sessions : 0
  s.totalMinutes = Math.round((totalSec / 60) * 10) / 10
  s.medianDurationSec = quantile(hist, s.answered, 0.5)
  s.p95DurationSec = quantile(hist, s.answered, 0.95)
  s.topErrors = [...errors].sort((a, b) => b[1] - a[1]).slice(0, opts.topErrors ?? 5).map(([k, count]) => {
    const n = Number(k)
    return Number.isFinite(n) ? {code: n, meaning: lookupCode(n)?.meaning, count} : {code: k, count}
  })
  const list = [...groups.values()].map((g) => ({...g, minutes: Math.round(g.minutes * 10) / 10}))
  // Time groupings read best in time order; the others, biggest first.
  s.groups = opts.by === 'hour' || opts.by === 'day' ? list.sort((a, b) => a.key.localeCompare(b.key)) : list.sort((a, b) => b.sessions - a.sessions || a.key.localeCompare(b.key))
  if (Number.isFinite(from)) s.from = new Date(from).toISOString()
  if (Number.isFinite(to)) s.to = new Date(to).toISOString()
  return s
}
