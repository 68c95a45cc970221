/**
 * The settings of a campaign, from flags or from a campaign file (YAML or JSON, schema in
 * schemas/campaign.schema.json): one reader for both, so a file and the flags mean the same.
 * Flags given beside --file win over the file.
 */
import path from 'node:path'

import {parse as parseYaml} from 'yaml'

import {parseDurationMs, parseTimeoutMs} from '../duration.js'
import {invalidInput, usageError} from '../errors.js'
import {readInputFile} from '../input-file.js'
import {CAMPAIGN_NAME, RETRYABLE_STATUSES, type CallingWindow, type RetryPolicy, type RetryableStatus} from './model.js'
import {checkTimezone, parseWindow} from './window.js'

/** Settings as written (flags or file), before they are read. */
export interface CampaignSettings {
  name?: string
  contacts?: string
  numberColumn?: string
  menu?: string
  callflow?: string
  from?: string | string[]
  rate?: number | string
  maxLive?: number | string
  window?: string
  timezone?: string
  retry?: string | string[]
  doNotCall?: string
  validFor?: string
  liveTimeout?: string
  pricePerMinute?: number | string
  currency?: string
  onInvalid?: string
}

/** Settings read and checked; file paths absolute. */
export interface CampaignOptions {
  name: string
  contacts: string
  numberColumn?: string
  content: {kind: 'menu'; file: string} | {kind: 'callflow'; file: string}
  from: string[]
  rate: number
  maxLive: number
  window?: CallingWindow
  timezone?: string
  retry: RetryPolicy
  doNotCall?: string
  validForMs: number
  liveTimeoutMs: number
  pricePerMinute?: number
  currency?: string
  onInvalid: 'skip' | 'refuse'
}

const KEYS: Array<keyof CampaignSettings> = ['name', 'contacts', 'numberColumn', 'menu', 'callflow', 'from', 'rate', 'maxLive', 'window', 'timezone', 'retry', 'doNotCall', 'validFor', 'liveTimeout', 'pricePerMinute', 'currency', 'onInvalid']
const FILE_KEYS = new Set(['$schema', ...KEYS])

export const DEFAULTS = {rate: 1, maxLive: 10, validFor: '2m', liveTimeout: '15m', onInvalid: 'skip'} as const

/** A campaign file's settings, with its paths made relative to the file's folder. */
export async function readCampaignFile(file: string): Promise<CampaignSettings> {
  const text = await readInputFile(file, 'Give a campaign file (YAML or JSON); see docs/campaigns.md.')
  let doc: unknown
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    throw invalidInput(`${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`, [], 'CAMPAIGN_FILE_INVALID')
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidInput(`${file} must hold an object of settings (name, contacts, menu or callflow, from, rate…).`, [], 'CAMPAIGN_FILE_INVALID')
  const unknown = Object.keys(doc).filter((k) => !FILE_KEYS.has(k))
  if (unknown.length > 0) {
    throw invalidInput(`${file}: unknown setting${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}.`, [`Settings: ${KEYS.join(', ')} (schemas/campaign.schema.json).`], 'CAMPAIGN_FILE_INVALID')
  }
  const s = doc as CampaignSettings & Record<string, unknown>
  const dir = path.dirname(path.resolve(file))
  for (const k of ['contacts', 'menu', 'callflow', 'doNotCall'] as const) {
    if (s[k] !== undefined && typeof s[k] !== 'string') throw invalidInput(`${file}: ${k} must be a file path.`, [], 'CAMPAIGN_FILE_INVALID')
    if (typeof s[k] === 'string') s[k] = path.resolve(dir, s[k] as string)
  }
  return s
}

const positive = (what: string, v: number | string | undefined, fallback: number, opts: {integer?: boolean} = {}): number => {
  if (v === undefined) return fallback
  const n = typeof v === 'number' ? v : Number(String(v).trim())
  if (!Number.isFinite(n) || n <= 0 || (opts.integer && !Number.isInteger(n))) {
    throw usageError(`${what} must be a positive ${opts.integer ? 'whole number' : 'number'}, not "${v}".`, [
      what === '--rate' ? 'The rate is calls started per second: 5, or 0.5 for one call every two seconds.' : `e.g. ${what} 20.`,
    ])
  }
  return n
}

const duration = (what: string, text: string): number => {
  const ms = parseDurationMs(text)
  if (ms === undefined || ms <= 0) throw usageError(`${what} "${text}" is not a duration.`, ['Use e.g. 90s, 30m, 2h.'])
  return ms
}

const timeout = (what: string, text: string): number => {
  const ms = parseTimeoutMs(String(text))
  if (ms === undefined || ms <= 0) throw usageError(`${what} "${text}" is not a duration.`, ['Use e.g. 90s, 30m, 2h (a bare number is seconds).'])
  return ms
}

const STATUS_WORDS: Record<string, RetryableStatus> = {busy: 'BUSY', 'no-answer': 'NO_ANSWER', no_answer: 'NO_ANSWER', noanswer: 'NO_ANSWER', failed: 'FAILED'}

/** `busy,no-answer:2:30m` (statuses : further calls : delay), one or several. */
export function parseRetry(specs: string | readonly string[] | undefined): RetryPolicy {
  const policy: RetryPolicy = {}
  const list = specs === undefined ? [] : typeof specs === 'string' ? [specs] : specs
  const hint = 'Give --retry STATUSES:RETRIES:DELAY, e.g. busy,no-answer:2:30m (up to 2 more calls, 30 minutes apart); statuses: busy, no-answer, failed.'
  for (const spec of list.flatMap((s) => s.split(';')).map((s) => s.trim()).filter(Boolean)) {
    const parts = spec.split(':')
    if (parts.length !== 3) throw usageError(`--retry "${spec}" is not STATUSES:RETRIES:DELAY.`, [hint])
    const retries = Number(parts[1])
    if (!Number.isInteger(retries) || retries < 0 || retries > 20) throw usageError(`--retry "${spec}": ${parts[1]} is not a number of retries (0 to 20).`, [hint])
    const delayMs = duration(`--retry "${spec}": the delay`, parts[2])
    for (const word of parts[0].split(',').map((w) => w.trim().toLowerCase()).filter(Boolean)) {
      const status = STATUS_WORDS[word] ?? (RETRYABLE_STATUSES as readonly string[]).find((s) => s.toLowerCase() === word)
      if (!status) throw usageError(`--retry "${spec}": "${word}" is not an outcome that can be retried.`, [hint])
      policy[status as RetryableStatus] = {retries, delayMs}
    }
  }
  return policy
}

/** Reads and checks settings (flags over file). Throws a usage error naming the first problem. */
export function readSettings(s: CampaignSettings): CampaignOptions {
  if (!s.name) throw usageError('A campaign needs a name.', ['e.g. `ivr campaign create reminders --contacts patients.csv …`.'])
  if (!CAMPAIGN_NAME.test(s.name)) throw usageError(`"${s.name}" cannot name a campaign: use letters, digits, ".", "_" and "-" (up to 64, starting with a letter or digit).`)
  if (!s.contacts) throw usageError('A campaign needs contacts: --contacts FILE (a CSV with a phone column).')
  if (s.menu && s.callflow) throw usageError('Give the content as --menu FILE or --callflow FILE, not both.')
  if (!s.menu && !s.callflow) throw usageError('A campaign needs content: --menu FILE (a menu, as `ivr serve`) or --callflow FILE (a callflow with {{placeholders}}).')
  const from = (typeof s.from === 'string' ? s.from.split(',') : s.from ?? []).map((f) => f.trim()).filter(Boolean)
  if (from.length === 0) throw usageError('A campaign needs a caller id: --from NUMBER (one of the sub-account\'s numbers; several rotate).', ['See them with `ivr numbers list`.'])
  const timezone = s.timezone === undefined ? undefined : checkTimezone(s.timezone)
  if (s.timezone !== undefined && !timezone) throw usageError(`--timezone "${s.timezone}" is not a time zone.`, ['Use an IANA name, e.g. Asia/Singapore or America/New_York.'])
  const onInvalid = s.onInvalid ?? DEFAULTS.onInvalid
  if (onInvalid !== 'skip' && onInvalid !== 'refuse') throw usageError(`--on-invalid must be skip or refuse, not "${onInvalid}".`)
  const price = s.pricePerMinute === undefined ? undefined : Number(s.pricePerMinute)
  if (price !== undefined && (!Number.isFinite(price) || price < 0)) throw usageError(`--price-per-minute must be a number of at least 0, not "${s.pricePerMinute}".`)
  return {
    name: s.name,
    contacts: path.resolve(s.contacts),
    ...(s.numberColumn ? {numberColumn: s.numberColumn} : {}),
    content: s.menu ? {kind: 'menu', file: path.resolve(s.menu)} : {kind: 'callflow', file: path.resolve(s.callflow!)},
    from,
    rate: positive('--rate', s.rate, DEFAULTS.rate),
    maxLive: positive('--max-live', s.maxLive, DEFAULTS.maxLive, {integer: true}),
    ...(s.window ? {window: parseWindow(s.window)} : {}),
    ...(timezone ? {timezone} : {}),
    retry: parseRetry(s.retry),
    ...(s.doNotCall ? {doNotCall: path.resolve(s.doNotCall)} : {}),
    validForMs: duration('--valid-for', s.validFor ?? DEFAULTS.validFor),
    liveTimeoutMs: timeout('--live-timeout', s.liveTimeout ?? DEFAULTS.liveTimeout),
    ...(price === undefined ? {} : {pricePerMinute: price}),
    ...(s.currency ? {currency: s.currency} : {}),
    onInvalid,
  }
}
