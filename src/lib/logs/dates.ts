import {parseDurationMs} from '../duration.js'
import {invalidInput, usageError} from '../errors.js'

/**
 * A point in time as the user wrote it, turned into the text the export API accepts
 * (`yyyy-MM-dd`, `yyyy-MM-ddTHH:mm:ssZ`, or `yyyy-MM-ddTHH:mm:ss±hh:mm`) and the instant it means.
 */
export interface DateInput {
  /** What is sent to the API. */
  api: string
  /** The instant it stands for (a day: its start, 00:00 UTC). */
  at: Date
  kind: 'day' | 'utc' | 'offset' | 'relative'
}

const DAY_MS = 86_400_000
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** `yyyy-MM-dd` of an instant, in UTC. */
export function utcDay(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** `yyyy-MM-ddTHH:mm:ssZ` of an instant (the API's UTC form; fractions of a second dropped). */
export function utcDateTime(d: Date): string {
  return `${utcDay(d)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
}

/** A duration such as `7d`, `36h`, `90m`, `2w`, `7 days`; undefined when the text is not one. */
export const parseDuration = parseDurationMs

function validCalendarDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate()
}

const HOW = [
  'Give a day (2026-11-20), a UTC time (2026-11-20T13:00:00Z), a time with an offset (2026-11-20T13:00:00+07:00),',
  'or a friendly form: today, yesterday, now, or an age such as 7d, 36h, 90m, 2w (that long ago).',
]

/**
 * Reads one date flag. `flag` names it in messages. Accepted: the API's own forms, a space in place of
 * the `T`, minutes without seconds, `+0700` offsets, and the friendly forms listed in HOW.
 */
export function parseDateInput(text: string, opts: {now: Date; flag: string}): DateInput {
  const raw = text.trim()
  const lower = raw.toLowerCase()
  const bad = (why: string) => invalidInput(`--${opts.flag} "${text}" ${why}`, HOW, 'BAD_DATE')
  if (lower === 'now') return {api: utcDateTime(opts.now), at: new Date(Math.floor(opts.now.getTime() / 1000) * 1000), kind: 'relative'}
  if (lower === 'today' || lower === 'yesterday') {
    const start = Date.UTC(opts.now.getUTCFullYear(), opts.now.getUTCMonth(), opts.now.getUTCDate()) - (lower === 'yesterday' ? DAY_MS : 0)
    const at = new Date(start)
    return {api: utcDay(at), at, kind: 'day'}
  }
  const ago = parseDuration(lower.replace(/\s+ago$/, '').replace(/^-/, ''))
  if (ago !== undefined) {
    const at = new Date(Math.floor((opts.now.getTime() - ago) / 1000) * 1000)
    return {api: utcDateTime(at), at, kind: 'relative'}
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(raw)
  if (!m) throw bad('is not a date the export understands.')
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (!validCalendarDate(y, mo, d)) throw bad('is not a calendar date.')
  const day = `${m[1]}-${m[2]}-${m[3]}`
  if (m[4] === undefined) return {api: day, at: new Date(Date.UTC(y, mo - 1, d)), kind: 'day'}
  const [hh, mi, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')]
  if (hh > 23 || mi > 59 || ss > 59) throw bad('has an impossible time of day.')
  const time = `${m[4]}:${m[5]}:${pad(ss)}`
  const zone = m[7]?.toUpperCase()
  if (zone === undefined || zone === 'Z') {
    // The API reads a time without a zone as UTC; we always write the Z so nobody has to remember that.
    return {api: `${day}T${time}Z`, at: new Date(Date.UTC(y, mo - 1, d, hh, mi, ss)), kind: 'utc'}
  }
  const oz = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!
  const offMin = (Number(oz[2]) * 60 + Number(oz[3])) * (oz[1] === '-' ? -1 : 1)
  if (Number(oz[2]) > 14 || Number(oz[3]) > 59) throw bad('has an impossible UTC offset.')
  return {api: `${day}T${time}${oz[1]}${oz[2]}:${oz[3]}`, at: new Date(Date.UTC(y, mo - 1, d, hh, mi, ss) - offMin * 60_000), kind: 'offset'}
}

export interface ExportRange {
  from?: DateInput
  to?: DateInput
  /** In words, for status lines: "2026-11-13 → 2026-11-20T10:00:00Z", or the API default. */
  description: string
}

/**
 * The range of an export from the flags. Neither given: nothing is sent and the API's default (the last
 * 7 days) applies. Only a start: the end is now. Only an end: the start is 7 days before it, like the
 * API's default. Either way `from < to` is checked here, before anything is asked of the API.
 */
export function resolveRange(input: {from?: string; to?: string; since?: string}, now: Date): ExportRange {
  if (input.from !== undefined && input.since !== undefined) throw usageError('Give --from or --since, not both (they mean the same).')
  const fromText = input.from ?? input.since
  const fromFlag = input.from === undefined ? 'since' : 'from'
  let from = fromText === undefined ? undefined : parseDateInput(fromText, {now, flag: fromFlag})
  let to = input.to === undefined ? undefined : parseDateInput(input.to, {now, flag: 'to'})
  if (!from && !to) return {description: 'the last 7 days (the API default)'}
  if (from && !to) to = parseDateInput('now', {now, flag: 'to'})
  if (!from && to) {
    const at = new Date(to.at.getTime() - 7 * DAY_MS)
    from = to.kind === 'day' ? {api: utcDay(at), at, kind: 'day'} : {api: utcDateTime(at), at, kind: 'relative'}
  }
  // A day as the end is read through its last moment: --from 2026-11-20 --to 2026-11-20 is that day.
  // (Whether the platform reads it so is its business; this check only refuses what is plainly reversed.)
  const end = to!.kind === 'day' ? to!.at.getTime() + DAY_MS - 1 : to!.at.getTime()
  if (from!.at.getTime() >= end) {
    throw invalidInput(`The range is empty: --${fromFlag} ${from!.api} is not before --to ${to!.api}.`, ['The start must come before the end.'], 'BAD_RANGE')
  }
  return {from, to, description: `${from!.api} → ${to!.api}`}
}
