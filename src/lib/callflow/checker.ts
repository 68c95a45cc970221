/** The validator's collector (Checker) and its small helpers: paths in the platform's form, types, characters. */
import {didYouMean} from '../did-you-mean.js'
import type {Problem, ValidateOptions} from './problem.js'
import {type ParamSpec} from './params.js'

const IDENT = /^[A-Za-z_$][\w$]*$/

/** The path of a child, in the platform's notation. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`
}

export const actionPath = (i: number) => `$.callflow[${i}]`
export const paramPath = (i: number, key: string) => childPath(`$.callflow[${i}].params`, key)

// ---- small helpers --------------------------------------------------------------------------

export function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}


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

export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/

// ---- the collector --------------------------------------------------------------------------

export class Checker {
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
