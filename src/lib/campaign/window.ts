/**
 * The calling window, in each callee's local time. The zone comes from a `timezone` column when the
 * contacts file has one, else from the number's country (libphonenumber-js gives the country,
 * countries-and-timezones its zones). A country with several zones (US, AU, RU, BR…) has no single
 * local time for a number we know only the country of: the window is then the narrowest overlap,
 * the times at which it is open in every zone of that country, which may be short or empty (the
 * plan says so, and a `timezone` column fixes it).
 */
import {getCountry} from 'countries-and-timezones'

import {usageError} from '../errors.js'
import type {CallingWindow} from './model.js'

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']

/** `09:00-20:00`, optionally with days: `mon-fri 09:00-20:00`, `sat,sun 10:00-14:00`. */
export function parseWindow(text: string): CallingWindow {
  const m = /^\s*(?:([a-z,\s-]+?)\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/i.exec(text)
  const hint = 'Give the window as HH:MM-HH:MM in the callee\'s local time, e.g. 09:00-20:00 or mon-fri 09:00-18:00.'
  if (!m) throw usageError(`--window "${text}" is not a time range.`, [hint])
  const [h1, m1, h2, m2] = [m[2], m[3], m[4], m[5]].map(Number)
  if (h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59 || (h1 === 24 && m1 > 0) || (h2 === 24 && m2 > 0)) throw usageError(`--window "${text}" holds a time that does not exist.`, [hint])
  const startMinute = h1 * 60 + m1
  const endMinute = h2 * 60 + m2
  if (endMinute <= startMinute) {
    throw usageError(`--window "${text}" never opens: it must end after it starts, on the same day.`, [hint])
  }
  const window: CallingWindow = {startMinute, endMinute}
  if (m[1]) window.days = parseDays(m[1], text)
  return window
}

function parseDays(text: string, whole: string): number[] {
  const days = new Set<number>()
  for (const part of text.toLowerCase().split(/[,\s]+/).filter(Boolean)) {
    const [a, b] = part.split('-')
    const from = DAY_NAMES.indexOf(a.slice(0, 3))
    const to = b === undefined ? from : DAY_NAMES.indexOf(b.slice(0, 3))
    if (from === -1 || to === -1) throw usageError(`--window "${whole}": "${part}" is not a day (mon, tue … sun, or a range mon-fri).`)
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d)
      if (d === to) break
    }
  }
  return [...days].sort()
}

export function formatWindow(w: CallingWindow): string {
  const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
  const days = w.days && w.days.length < 7 ? `${w.days.map((d) => DAY_NAMES[d]).join(',')} ` : ''
  return `${days}${hm(w.startMinute)}-${hm(w.endMinute)}`
}

/** The IANA name if `zone` is one this runtime knows (canonical spelling), else undefined. */
export function checkTimezone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', {timeZone: zone}).resolvedOptions().timeZone
  } catch {
    return undefined
  }
}

/** The zones a callee may be in: theirs when known, else every zone of the number's country. */
export function zonesFor(contact: {timezone?: string}, country: string | undefined, defaultTimezone?: string): string[] {
  if (contact.timezone) return [contact.timezone]
  const zones = country ? zonesOfCountry(country) : []
  if (zones.length > 0) return zones
  return defaultTimezone ? [defaultTimezone] : ['UTC']
}

const countryZones = new Map<string, string[]>()
function zonesOfCountry(country: string): string[] {
  let zones = countryZones.get(country)
  if (!zones) {
    zones = getCountry(country)?.timezones?.filter((z) => checkTimezone(z)) ?? []
    countryZones.set(country, zones)
  }
  return zones
}

const formatters = new Map<string, Intl.DateTimeFormat>()
function localClock(zone: string, t: number): {minute: number; day: number} {
  let f = formatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', weekday: 'short'})
    formatters.set(zone, f)
  }
  let hour = 0
  let minute = 0
  let day = 0
  for (const p of f.formatToParts(t)) {
    if (p.type === 'hour') hour = Number(p.value)
    else if (p.type === 'minute') minute = Number(p.value)
    else if (p.type === 'weekday') day = DAY_NAMES.indexOf(p.value.toLowerCase().slice(0, 3))
  }
  return {minute: hour * 60 + minute, day}
}

function openIn(w: CallingWindow, zone: string, t: number): boolean {
  const {minute, day} = localClock(zone, t)
  return minute >= w.startMinute && minute < w.endMinute && (!w.days || w.days.includes(day))
}

const openAll = (w: CallingWindow, zones: readonly string[], t: number) => zones.every((z) => openIn(w, z, t))

export type WindowState = {open: true; closesAt: number} | {open: false; opensAt?: number}

const MINUTE = 60_000
const STEP = 5 * MINUTE
/** How far ahead an opening is looked for: a week and a day covers every day-of-week window. */
const HORIZON = 8 * 24 * 60 * MINUTE

const cache = new Map<string, {at: number; state: WindowState}>()

/**
 * Whether the window is open at `now` in every one of `zones`, and when it closes; else when it
 * next opens (undefined: never, within a week: the zones have no overlap). Minute precision.
 */
export function windowState(w: CallingWindow, zones: readonly string[], now: number): WindowState {
  const key = `${w.startMinute}-${w.endMinute}-${w.days?.join('') ?? ''}|${zones.join(',')}`
  const minuteStart = now - (now % MINUTE)
  const hit = cache.get(key)
  if (hit && hit.at === minuteStart) return hit.state
  const state = computeState(w, zones, minuteStart)
  if (cache.size > 10_000) cache.clear()
  cache.set(key, {at: minuteStart, state})
  return state
}

function computeState(w: CallingWindow, zones: readonly string[], t0: number): WindowState {
  if (openAll(w, zones, t0)) {
    let t = t0 + STEP
    while (t - t0 < HORIZON && openAll(w, zones, t)) t += STEP
    let end = t - STEP
    while (end + MINUTE < t && openAll(w, zones, end + MINUTE)) end += MINUTE
    return {open: true, closesAt: end + MINUTE}
  }
  let t = t0 + STEP
  while (t - t0 < HORIZON && !openAll(w, zones, t)) t += STEP
  if (t - t0 >= HORIZON) return {open: false}
  let start = t
  while (start - MINUTE > t0 && openAll(w, zones, start - MINUTE)) start -= MINUTE
  return {open: false, opensAt: start}
}

/** Minutes a week the window is open in all of `zones` (for the plan's estimate). */
export function openMinutesPerWeek(w: CallingWindow, zones: readonly string[], from: number): number {
  let open = 0
  for (let t = from - (from % STEP); t < from + 7 * 24 * 60 * MINUTE; t += STEP) if (openAll(w, zones, t)) open += 5
  return open
}
