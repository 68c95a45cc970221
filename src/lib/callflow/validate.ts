/**
 * The one callflow validator: `callflow validate`, `send-callflow`, the sandbox and the menu server
 * all check callflows here. It reports every problem, each with the platform's status code where
 * one exists, a JSON path in the platform's form (`$.callflow[2].params.text`) and a severity.
 * Pure and allocation-light: paths and messages are built only when something is wrong.
 */
import {lookupCode} from '../codes.js'
import {checkPhoneNumber} from './phone.js'
import {ACTION_NAMES, CAPTURE_DOC_DEFAULTS, LIMITS, type ActionName} from './types.js'
import {didYouMean} from '../did-you-mean.js'

export type Severity = 'error' | 'warning'

export interface Problem {
  /** The platform's status code (-1001 … -1017) this problem would draw, where one exists. */
  code?: number
  /** JSON path in the platform's form: `$.callflow[1].params.text`. */
  path: string
  message: string
  severity: Severity
  /** 1-based, filled in by the loader when the callflow came from a file. */
  line?: number
  column?: number
  /** What to do about it, when the message alone does not say. */
  hint?: string
  /** A warning that a check could not be made (no profile list, webhook not asked). */
  unchecked?: boolean
}

export interface ValidateOptions {
  /** A Send Callflow request (first action must be makeCall, -1013) or a VCA webhook answer. */
  context: 'request' | 'vca'
  /** For validUntil (-1015); defaults to the current time. */
  now?: Date
  /** Voice profile codes; when absent, a warning that voices were not checked. */
  knownProfiles?: ReadonlySet<string>
  /** false with a sayAndCapture present: -1004; undefined: a warning that it was not checked. */
  vcaWebhookRegistered?: boolean
  /** The sub-account's virtual numbers, digits only: a makeCall source not among them gets a -1014 warning. */
  accountNumbers?: ReadonlySet<string>
  /** false: no warnings about checks that could not be made (voices, webhook), e.g. just before the platform makes them. Default true. */
  warnUnchecked?: boolean
}

// ---- paths ----------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][\w$]*$/

/** The path of a child, in the platform's notation. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`
}

const actionPath = (i: number) => `$.callflow[${i}]`
const paramPath = (i: number, key: string) => childPath(`$.callflow[${i}].params`, key)

// ---- small helpers --------------------------------------------------------------------------

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export {didYouMean} from '../did-you-mean.js'

/** Characters the platform refuses in spoken text (-1016): controls, invisible format characters, broken surrogates. */
const REFUSED_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFF9-\uFFFB\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function describeChar(ch: string): string {
  const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
  const code = ch.codePointAt(0)!
  const kind = code < 0x20 || (code >= 0x7F && code <= 0x9F) ? 'a control character'
    : code >= 0xD800 && code <= 0xDFFF ? 'half of a broken surrogate pair'
      : 'an invisible formatting character'
  return `U+${hex} (${kind})`
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/

// ---- parameter schemas ----------------------------------------------------------------------

type Kind = 'string' | 'integer' | 'number' | 'boolean'
interface ParamSpec {
  kind: Kind
  required?: boolean
  /** null is accepted and means "not given" (the spec marks these nullable; 8x8's examples send null). */
  nullable?: boolean
  min?: number
  max?: number
  maxLength?: number
  /** Spoken text: checked for characters the platform refuses (-1016). */
  spoken?: boolean
}

const voiceProfile: ParamSpec = {kind: 'string', required: true}
const repetition: ParamSpec = {kind: 'integer', min: LIMITS.repetition.min, max: LIMITS.repetition.max}
const speed: ParamSpec = {kind: 'number', min: LIMITS.speed.min, max: LIMITS.speed.max}
const spokenText = (required: boolean): ParamSpec => ({kind: 'string', required, nullable: !required, maxLength: LIMITS.textLength, spoken: true})

/** Each action's parameters (the registry's parameter specs: a new action must list its own). */
const PARAMS = {
  makeCall: {
    source: {kind: 'string', required: true},
    destination: {kind: 'string', required: true},
    callRecording: {kind: 'boolean'},
  },
  say: {text: spokenText(true), voiceProfile, repetition, speed},
  sayAndCapture: {
    promptMessage: spokenText(true),
    voiceProfile,
    speed,
    repetition: {...repetition, nullable: true},
    minDigits: {kind: 'integer', nullable: true, min: 1, max: LIMITS.maxDigits},
    maxDigits: {kind: 'integer', nullable: true, min: 1, max: LIMITS.maxDigits},
    digitTimeout: {kind: 'integer', nullable: true, min: 1},
    overallTimeout: {kind: 'integer', nullable: true, min: 1},
    completeOnHash: {kind: 'boolean', nullable: true},
    noOfTries: {kind: 'integer', nullable: true, min: 1},
    successMessage: spokenText(false),
    failureMessage: spokenText(false),
  },
  playFile: {fileUrl: {kind: 'string', required: true}, repetition},
  hangup: {},
} satisfies Record<ActionName, Record<string, ParamSpec>> as Record<ActionName, Record<string, ParamSpec>>
const PARAM_NAMES: Record<ActionName, string[]> = Object.fromEntries(
  Object.entries(PARAMS).map(([k, v]) => [k, Object.keys(v)]),
) as Record<ActionName, string[]>

const ACTION_SET: ReadonlySet<string> = new Set(ACTION_NAMES)
const TOP_KEYS = {request: ['validUntil', 'clientRequestId', 'callflow'], vca: ['clientActionId', 'callflow']} as const
const ACTION_KEYS = ['action', 'params']

// ---- the collector --------------------------------------------------------------------------

class Checker {
  readonly problems: Problem[] = []
  private voicesNoted = false
  private webhookNoted = false

  constructor(readonly opts: ValidateOptions) {}

  error(code: number, path: string, message: string, hint?: string): void {
    this.problems.push(hint === undefined ? {code, path, message, severity: 'error'} : {code, path, message, severity: 'error', hint})
  }

  warn(path: string, message: string, code?: number, hint?: string, unchecked?: boolean): void {
    const p: Problem = {path, message, severity: 'warning'}
    if (code !== undefined) p.code = code
    if (hint !== undefined) p.hint = hint
    if (unchecked) p.unchecked = true
    this.problems.push(p)
  }

  /** Type and range of one parameter; true when the value is present and usable. */
  param(path: () => string, value: unknown, spec: ParamSpec, code = -1009): boolean {
    if (value === undefined) {
      if (spec.required) this.error(code, path(), 'is missing but it is required')
      return false
    }
    if (value === null) {
      if (!spec.nullable) this.error(code, path(), `null found, ${spec.kind} expected`)
      return false
    }
    const t = typeName(value)
    const typeOk = spec.kind === 'number' ? typeof value === 'number' && Number.isFinite(value) : t === spec.kind
    if (!typeOk) {
      this.error(code, path(), `${t} found, ${spec.kind} expected`, typeHint(value, spec))
      return false
    }
    if (typeof value === 'number') {
      if (spec.min !== undefined && value < spec.min) {
        this.error(code, path(), `must have a minimum value of ${spec.min}`)
        return false
      }
      if (spec.max !== undefined && value > spec.max) {
        this.error(code, path(), `must have a maximum value of ${spec.max}`)
        return false
      }
    }
    if (typeof value === 'string') {
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        const chars = [...value].length
        if (chars > spec.maxLength) {
          this.error(-1009, path(), `may only be ${spec.maxLength} characters long (it has ${chars})`, 'Split the text over several say actions.')
          return false
        }
      }
      if (spec.spoken) {
        const m = REFUSED_CHARS.exec(value)
        if (m) {
          this.error(-1016, path(), `contains ${describeChar(m[0])} at character ${[...value.slice(0, m.index)].length + 1}, which the platform refuses`, 'Remove it: such characters usually come from copy and paste.')
        }
      }
    }
    return true
  }

  voice(i: number, value: unknown): void {
    if (typeof value !== 'string') return
    const known = this.opts.knownProfiles
    if (!known) {
      if (!this.voicesNoted && this.opts.warnUnchecked !== false) {
        this.voicesNoted = true
        this.warn(paramPath(i, 'voiceProfile'), 'voice profiles were not checked: no profile list at hand', -1002,
          '`ivr profiles list` caches the account\'s list for a day; `--online` asks the account.', true)
      }
      return
    }
    if (known.has(value)) return
    const list = [...known]
    const near = didYouMean(value, list)
    const sameLocale = list.filter((p) => p.slice(0, 5).toLowerCase() === value.slice(0, 5).toLowerCase()).slice(0, 5)
    const hint = near ? `Did you mean ${near}?` : sameLocale.length > 0 ? `Voices for ${value.slice(0, 5)}: ${sameLocale.join(', ')}.` : 'List the valid ones with `ivr profiles list`.'
    this.error(-1002, paramPath(i, 'voiceProfile'), `"${value}" is not a voice profile of this account`, hint)
  }

  vcaWebhook(i: number): void {
    if (this.opts.context !== 'request' || this.webhookNoted) return
    this.webhookNoted = true
    const registered = this.opts.vcaWebhookRegistered
    if (registered === false) {
      this.error(-1004, actionPath(i), 'sayAndCapture sends the digits to the VCA webhook, and none is registered',
        'Register one: `ivr webhooks create --type VCA --url URL`.')
    } else if (registered === undefined && this.opts.warnUnchecked !== false) {
      this.warn(actionPath(i), 'sayAndCapture needs a VCA webhook registered for the sub-account (not checked)', -1004,
        'Without one the platform answers -1004; `--online` checks the account, `ivr webhooks list` shows it.', true)
    }
  }

  unknownKeys(obj: Record<string, unknown>, known: readonly string[], path: (k: string) => string, where: string): void {
    for (const k in obj) {
      if (!Object.hasOwn(obj, k) || known.includes(k)) continue
      const near = didYouMean(k, known)
      this.warn(path(k), `is not a parameter of ${where}; the platform ignores it`, undefined, near ? `Did you mean ${near}?` : undefined)
    }
  }
}

function typeHint(value: unknown, spec: ParamSpec): string | undefined {
  if (spec.kind === 'string' && typeof value === 'number') return 'Write it as a string; in YAML, quote it (an unquoted +6591234567 is read as a number).'
  if (spec.kind !== 'string' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return `Write it without quotes: ${value.trim()}.`
  if (spec.kind === 'boolean' && typeof value === 'string') return 'Write true or false, without quotes.'
  return undefined
}

// ---- actions --------------------------------------------------------------------------------

function checkMakeCall(c: Checker, i: number, p: Record<string, unknown>, spec: Record<string, ParamSpec>): void {
  if (c.param(() => paramPath(i, 'source'), p.source, spec.source) && phone(c, paramPath(i, 'source'), 'source', p.source as string)) {
    const numbers = c.opts.accountNumbers
    const digits = (p.source as string).replace(/\D/g, '')
    if (numbers && !numbers.has(digits)) {
      // A warning only: a caller id can be whitelisted without being one of the account's numbers.
      c.warn(paramPath(i, 'source'), `"${p.source as string}" is not one of the sub-account's virtual numbers; unless it is a whitelisted caller id, the platform refuses it`, -1014,
        'See the account\'s numbers with `ivr numbers list`.')
    }
  }
  const dest = p.destination
  if (Array.isArray(dest) || (typeof dest === 'string' && /[,;/|]/.test(dest))) {
    const n = Array.isArray(dest) ? dest.length : dest.split(/[,;/|]/).filter((s) => s.trim()).length
    c.error(-1011, paramPath(i, 'destination'), `holds ${n} numbers; a makeCall calls exactly one`, 'Send one callflow per number (a second makeCall bridges a second party into the same call).')
  } else if (c.param(() => paramPath(i, 'destination'), dest, spec.destination)) {
    phone(c, paramPath(i, 'destination'), 'destination', dest as string)
  }
  c.param(() => paramPath(i, 'callRecording'), p.callRecording, spec.callRecording)
}

/** Checks a number; true when it is usable. */
function phone(c: Checker, path: string, what: string, value: string): boolean {
  const r = checkPhoneNumber(value)
  const example = 'E.164: + then country code and number, e.g. +6591234567'
  if (!r.ok) {
    const hint = r.suggestion ? `Write it as ${r.suggestion}.` : what === 'source' ? `${example}; the source must be a number whitelisted for the sub-account.` : `${example}.`
    c.error(-1017, path, `"${value}" ${r.reason}`, hint)
    return false
  }
  if (r.doubtful) c.warn(path, `"${value}" ${r.reason}; check the ${what} number`)
  return true
}

function checkSay(c: Checker, i: number, p: Record<string, unknown>, spec: Record<string, ParamSpec>): void {
  if (c.param(() => paramPath(i, 'text'), p.text, spec.text) && (p.text as string).trim() === '') {
    c.warn(paramPath(i, 'text'), 'is empty: the caller hears nothing')
  }
  if (c.param(() => paramPath(i, 'voiceProfile'), p.voiceProfile, spec.voiceProfile)) c.voice(i, p.voiceProfile)
  c.param(() => paramPath(i, 'repetition'), p.repetition, spec.repetition)
  c.param(() => paramPath(i, 'speed'), p.speed, spec.speed)
}

function checkCapture(c: Checker, i: number, p: Record<string, unknown>, spec: Record<string, ParamSpec>): void {
  c.vcaWebhook(i)
  const ok = (k: string, code = -1009) => c.param(() => paramPath(i, k), p[k], spec[k], code)
  if (ok('promptMessage') && (p.promptMessage as string).trim() === '') {
    c.warn(paramPath(i, 'promptMessage'), 'is empty: the caller hears nothing before the capture')
  }
  if (ok('voiceProfile')) c.voice(i, p.voiceProfile)
  ok('speed')
  ok('repetition')
  const hasMin = ok('minDigits')
  const hashOk = ok('completeOnHash')
  const noHash = hashOk && p.completeOnHash === false
  // An invalid maxDigits draws the more specific code when another parameter depends on it.
  const maxCode = hasMin ? -1003 : noHash ? -1008 : -1009
  const maxPresent = p.maxDigits !== undefined && p.maxDigits !== null
  const hasMax = ok('maxDigits', maxCode)
  const hasDigitTimeout = ok('digitTimeout')
  const overallPresent = p.overallTimeout !== undefined && p.overallTimeout !== null
  const hasOverall = ok('overallTimeout', hasDigitTimeout ? -1005 : -1009)
  ok('noOfTries')
  ok('successMessage')
  ok('failureMessage')

  if (hasMin && !maxPresent) {
    c.error(-1003, paramPath(i, 'maxDigits'), 'is required when minDigits is given')
  } else if (hasMin && hasMax && (p.maxDigits as number) < (p.minDigits as number)) {
    c.error(-1003, paramPath(i, 'maxDigits'), `(${p.maxDigits as number}) must not be less than minDigits (${p.minDigits as number})`)
  } else if (noHash && !maxPresent) {
    c.error(-1008, paramPath(i, 'maxDigits'), 'is required when completeOnHash is false',
      'Without # to end the input, maxDigits is how the platform knows the caller is done.')
  }

  const digitTimeout = hasDigitTimeout ? (p.digitTimeout as number) : undefined
  const defaults = CAPTURE_DOC_DEFAULTS.overallTimeout
  if (digitTimeout !== undefined && hasOverall && (p.overallTimeout as number) < digitTimeout) {
    c.error(-1006, paramPath(i, 'overallTimeout'), `(${p.overallTimeout as number} ms) must not be less than digitTimeout (${digitTimeout} ms)`)
  } else if (digitTimeout !== undefined && !overallPresent) {
    // The docs disagree on the default, and 8x8's own API example leaves it out: accept, under both readings.
    const low = Math.min(defaults.reference, defaults.guides)
    const high = Math.max(defaults.reference, defaults.guides)
    if (digitTimeout > high) {
      c.error(-1006, paramPath(i, 'overallTimeout'), `is not set, and its default (${low} or ${high} ms, depending on the docs) is less than digitTimeout (${digitTimeout} ms)`)
    } else {
      const risk = digitTimeout > low ? `; with the API reference's ${low} ms it would be less than digitTimeout (${digitTimeout} ms), which the platform refuses (-1006)` : ''
      c.warn(paramPath(i, 'overallTimeout'), `is not set while digitTimeout is: accepted (8x8's own example does this), assuming the default of ${defaults.reference} ms (API reference) or ${defaults.guides} ms (guides)${risk}`, -1005,
        `Set overallTimeout, e.g. equal to digitTimeout (${digitTimeout}).`)
    }
  }
  for (const k of ['digitTimeout', 'overallTimeout']) {
    const v = p[k]
    if (typeof v === 'number' && v > 0 && v < 100) c.warn(paramPath(i, k), `is ${v} ms: timeouts are in milliseconds`, undefined, `Did you mean ${v * 1000}?`)
  }

  // Defaults the docs disagree on change what a caller experiences: say which were assumed.
  const unset: string[] = []
  const d = CAPTURE_DOC_DEFAULTS
  if (!maxPresent && !hasMin && !noHash) unset.push(`maxDigits ${d.maxDigits.reference} or ${d.maxDigits.guides}`)
  if (!overallPresent && digitTimeout === undefined) unset.push(`overallTimeout ${defaults.reference} or ${defaults.guides} ms`)
  if (p.noOfTries === undefined || p.noOfTries === null) unset.push(`noOfTries ${d.noOfTries.reference} or ${d.noOfTries.guides}`)
  if (unset.length > 0) {
    c.warn(`${actionPath(i)}.params`, `leaves defaults the docs disagree on (API reference or guides): ${unset.join('; ')}; accepted under both`, undefined,
      'Set them explicitly to be sure what callers get.')
  }
}

type ParamsChecker = (c: Checker, i: number, p: Record<string, unknown>, spec: Record<string, ParamSpec>) => void

/**
 * Each action's own rules (the registry's checkers). hangup has none of its own: its rules are
 * about its place in the flow, checked before (it takes no parameters).
 */
const CHECKERS: Record<ActionName, ParamsChecker> = {
  makeCall: (...a) => checkMakeCall(...a),
  say: (...a) => checkSay(...a),
  sayAndCapture: (...a) => checkCapture(...a),
  playFile: (...a) => checkPlayFile(...a),
  hangup: () => {},
}

function checkPlayFile(c: Checker, i: number, p: Record<string, unknown>, spec: Record<string, ParamSpec>): void {
  if (c.param(() => paramPath(i, 'fileUrl'), p.fileUrl, spec.fileUrl)) {
    const raw = p.fileUrl as string
    let url: URL | undefined
    try {
      url = new URL(raw)
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      c.error(-1009, paramPath(i, 'fileUrl'), `"${raw}" is not an http or https URL`, 'The platform downloads the file: give its full http(s) address.')
    } else {
      const file = url.pathname.toLowerCase()
      if (!LIMITS.playFileExtensions.some((ext) => file.endsWith(ext))) {
        c.warn(paramPath(i, 'fileUrl'), `does not end in ${LIMITS.playFileExtensions.join(' or ')}: the platform plays mp3 and wav files only`)
      }
    }
  }
  c.param(() => paramPath(i, 'repetition'), p.repetition, spec.repetition)
}

// ---- the entry points -----------------------------------------------------------------------

/** Every problem of a callflow document (a parsed request or VCA answer), in document order. */
export function validateCallflow(doc: unknown, opts: ValidateOptions): Problem[] {
  const c = new Checker(opts)
  if (!isPlainObject(doc)) {
    c.error(-1009, '$', `${typeName(doc)} found, object expected`, Array.isArray(doc) ? 'Wrap the actions: {"callflow": [ ... ]}.' : undefined)
    return c.problems
  }
  const topKeys = TOP_KEYS[opts.context]
  const where = opts.context === 'request' ? 'a Send Callflow request' : 'a VCA answer'
  for (const k in doc) {
    if (!Object.hasOwn(doc, k) || (topKeys as readonly string[]).includes(k)) continue
    const other = opts.context === 'request' ? TOP_KEYS.vca : TOP_KEYS.request
    const hint = (other as readonly string[]).includes(k) ? `${k} belongs in ${opts.context === 'request' ? 'a VCA answer' : 'a Send Callflow request'}.` : didYouMean(k, topKeys) ? `Did you mean ${didYouMean(k, topKeys)}?` : undefined
    c.warn(childPath('$', k), `is not a field of ${where}; the platform ignores it`, undefined, hint)
  }
  if (opts.context === 'request') {
    checkValidUntil(c, doc.validUntil)
    if (doc.clientRequestId !== undefined && doc.clientRequestId !== null && typeof doc.clientRequestId !== 'string') {
      c.error(-1009, '$.clientRequestId', `${typeName(doc.clientRequestId)} found, string expected`)
    }
  } else if (doc.clientActionId !== undefined && doc.clientActionId !== null && typeof doc.clientActionId !== 'string') {
    c.error(-1009, '$.clientActionId', `${typeName(doc.clientActionId)} found, string expected`)
  }

  const flow = doc.callflow
  if (flow === undefined) {
    c.error(-1009, '$.callflow', 'is missing but it is required')
    return c.problems
  }
  if (!Array.isArray(flow)) {
    c.error(-1009, '$.callflow', `${typeName(flow)} found, array expected`)
    return c.problems
  }
  if (flow.length === 0) {
    c.error(-1009, '$.callflow', 'there must be a minimum of 1 items in the array', opts.context === 'request' ? 'Start with a makeCall.' : undefined)
    return c.problems
  }

  let makeCalls = 0
  let hangupAt = -1
  let previous: string | undefined
  for (let i = 0; i < flow.length; i++) {
    const item = flow[i]
    if (hangupAt >= 0) c.warn(actionPath(i), `never runs: it comes after the hangup at $.callflow[${hangupAt}]`)
    if (!isPlainObject(item)) {
      c.error(-1009, actionPath(i), `${typeName(item)} found, object expected`)
      previous = undefined
      continue
    }
    const name = item.action
    if (name === undefined) {
      c.error(-1009, `${actionPath(i)}.action`, 'is missing but it is required')
      previous = undefined
      continue
    }
    if (typeof name !== 'string' || !ACTION_SET.has(name)) {
      const near = typeof name === 'string' ? didYouMean(name, ACTION_NAMES) : undefined
      c.error(-1007, `${actionPath(i)}.action`, `should be one of: ${ACTION_NAMES.join(',')}`, near ? `Did you mean ${near}? (action names are case-sensitive)` : undefined)
      previous = undefined
      continue
    }
    const action = name as ActionName
    if (i === 0 && opts.context === 'request' && action !== 'makeCall') {
      c.error(-1013, `${actionPath(0)}.action`, `is ${action}, but the first action of a Send Callflow request must be makeCall`, 'A request starts a call: put a makeCall with source and destination first.')
    }
    c.unknownKeys(item, ACTION_KEYS, (k) => childPath(actionPath(i), k), `an action`)

    const spec = PARAMS[action]
    const params = item.params
    if (action === 'hangup') {
      if (previous === 'sayAndCapture') {
        c.error(-1012, actionPath(i), 'hangup must not directly follow sayAndCapture: the captured digits would be ignored', 'End with the sayAndCapture; the VCA webhook\'s answer decides what happens next.')
      } else if (i < flow.length - 1 && hangupAt < 0) {
        c.error(-1012, actionPath(i), `hangup must be the last action (${flow.length - 1 - i} more follow it)`)
      }
      if (hangupAt < 0) hangupAt = i
      if (isPlainObject(params) && Object.keys(params).length > 0) c.warn(`${actionPath(i)}.params`, 'hangup takes no parameters; the platform ignores them')
      previous = action
      continue
    }
    if (params === undefined || params === null) {
      c.error(-1009, `${actionPath(i)}.params`, params === null ? `null found, object expected` : 'is missing but it is required')
    } else if (!isPlainObject(params)) {
      c.error(-1009, `${actionPath(i)}.params`, `${typeName(params)} found, object expected`)
    } else {
      c.unknownKeys(params, PARAM_NAMES[action], (k) => paramPath(i, k), action)
      CHECKERS[action](c, i, params, spec)
    }
    if (action === 'sayAndCapture' && !isPlainObject(params)) c.vcaWebhook(i)
    if (action === 'makeCall' && ++makeCalls > LIMITS.makeCallPerCallflow) {
      c.error(-1010, actionPath(i), `is makeCall number ${makeCalls}; a callflow may hold at most ${LIMITS.makeCallPerCallflow} (the second bridges a new leg)`)
    }
    previous = action
  }
  return c.problems
}

function checkValidUntil(c: Checker, value: unknown): void {
  if (value === undefined || value === null) return
  if (typeof value !== 'string') {
    c.error(-1009, '$.validUntil', `${typeName(value)} found, string expected`)
    return
  }
  const t = ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN
  if (Number.isNaN(t)) {
    c.error(-1009, '$.validUntil', `"${value}" is not a date-time of the form YYYY-MM-DDTHH:MM:SS.SSSZ`, 'For example 2030-01-31T09:30:00.000Z; `send-callflow --valid-until 10m` computes one.')
    return
  }
  const now = c.opts.now ?? new Date()
  if (t <= now.getTime()) {
    c.error(-1015, '$.validUntil', `${value} is in the past (now is ${now.toISOString()})`, 'Use a future time, e.g. `--valid-until 10m`.')
  }
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error')
}

export function countBySeverity(problems: readonly Problem[]): {errors: number; warnings: number} {
  let errors = 0
  for (const p of problems) if (p.severity === 'error') errors++
  return {errors, warnings: problems.length - errors}
}

// ---- the platform's answer ------------------------------------------------------------------

/** One problem as the platform words it in a NOT_CREATED statusMessage. */
export function platformStatusMessage(p: Problem): string {
  switch (p.code) {
    case -1001: {
      const detail = p.message.replace(/^not valid (?:JSON|YAML): /, '')
      return `Invalid JSON request body${detail ? `: ${detail}` : ''}`
    }
    case -1007: {
      return `${p.path} ${p.message}`
    }
    case -1013: {
      return 'Invalid Callflow : First action should be a MakeCall action'
    }
    case -1017: {
      // The platform's wording names the destination; say which number it is.
      return `Invalid MSISDN format in ${/\.source$/.test(p.path) ? 'source' : 'destination'}: ${p.path}: ${p.message}`
    }
    case -1009: {
      return `${p.path}: ${p.message}`
    }
    default: {
      const meaning = lookupCode(p.code)?.meaning
      return meaning ? `${meaning}: ${p.path}: ${p.message}` : `${p.path}: ${p.message}`
    }
  }
}

// Schema problems come first, as a schema check runs before the platform's own rules.
const SCHEMA_CODES = new Set([-1001, -1007, -1009])

/**
 * The NOT_CREATED answer the platform would give for these problems, or undefined when there is
 * no error: the first schema error (-1001/-1007/-1009) in document order, else the first error.
 */
export function platformRejection(problems: readonly Problem[]): {statusCode: number; statusMessage: string} | undefined {
  const errors = problems.filter((p) => p.severity === 'error')
  if (errors.length === 0) return undefined
  const first = errors.find((p) => p.code !== undefined && SCHEMA_CODES.has(p.code)) ?? errors[0]
  return {statusCode: first.code ?? -9999, statusMessage: platformStatusMessage(first)}
}
