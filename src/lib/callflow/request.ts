/**
 * Building a Send Callflow request: from a file (with {{placeholders}} filled from --var), or from
 * quick flags (--say, --play, --capture, --hangup in the order given), plus validUntil and
 * clientRequestId. Shared by `send-callflow`, `callflow new` and later commands.
 */
import {usageError} from '../errors.js'
import {childPath} from './validate.js'
import {CAPTURE_DEFAULTS, DEFAULT_VOICE_PROFILE, type Action, type CallflowRequest, type SayAndCaptureParams} from './types.js'
import {parseDurationMs} from '../duration.js'
import {operationUrl} from '../api/paths.js'

// ---- --var and {{placeholders}} -------------------------------------------------------------

// Any {{...}}: 8x8's guides write `{{Virtual Number}}`, `{{Number to Call}}`. The name is the trimmed inside.
const VAR_NAME = /^[^={}\s](?:[^={}]*[^={}\s])?$/
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g

/** The --var that fills a placeholder, quoted for a shell when the name has spaces. */
export function varFlag(name: string, value = 'VALUE'): string {
  return /[\s"'$`\\]/.test(name) ? `--var "${name.replace(/(["$`\\])/g, '\\$1')}=${value}"` : `--var ${name}=${value}`
}

/** `name=value` pairs (the value may hold `=`); a bad pair is a usage error. */
export function parseVars(pairs: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim()
    if (eq < 0 || !VAR_NAME.test(name)) {
      throw usageError(`--var "${pair}" is not of the form name=value.`, ['For example: --var name=Alice --var to=+6591234567 --var "Virtual Number=+6531591234".'])
    }
    vars[name] = pair.slice(eq + 1)
  }
  return vars
}

export interface FilledDocument {
  value: unknown
  /** Placeholders with no value, and where they are. */
  missing: Array<{name: string; path: string}>
  /** Variables given that no placeholder used. */
  unused: string[]
}

/** Fills {{name}} in every string of a parsed document (so values are escaped for any format). */
export function fillPlaceholders(value: unknown, vars: Readonly<Record<string, string>>): FilledDocument {
  const used = new Set<string>()
  const missing: Array<{name: string; path: string}> = []
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('{{')) return v
      return v.replace(PLACEHOLDER, (whole, name: string) => {
        if (Object.hasOwn(vars, name)) {
          used.add(name)
          return vars[name]
        }
        missing.push({name, path})
        return whole
      })
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, childPath(path, i)))
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, childPath(path, k))
      return out
    }
    return v
  }
  const filled = walk(value, '$')
  return {value: filled, missing, unused: Object.keys(vars).filter((k) => !used.has(k))}
}

// ---- validUntil -----------------------------------------------------------------------------


/**
 * `--valid-until`: a duration from now (`90s`, `10m`, `1h30m`, `2d`) or a date-time (ISO 8601;
 * without a zone it is local time). Returns the platform's form, `YYYY-MM-DDTHH:MM:SS.SSSZ`.
 */
export function parseValidUntil(input: string, now: Date): string {
  const text = input.trim()
  const ms = parseDurationMs(text)
  if (ms !== undefined) {
    if (ms <= 0) throw usageError(`--valid-until ${input} is not in the future.`)
    return new Date(now.getTime() + ms).toISOString()
  }
  if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i.test(text)) {
    const t = Date.parse(text.replace(' ', 'T'))
    if (!Number.isNaN(t)) return new Date(t).toISOString()
  }
  throw usageError(`--valid-until "${input}" is neither a duration nor a date-time.`, [
    'Use a duration from now (90s, 10m, 1h30m, 2d) or a date-time (2030-01-31T09:30:00Z).',
  ])
}

// ---- the request ----------------------------------------------------------------------------

export interface RequestOverrides {
  validUntil?: string
  clientRequestId?: string
}

/**
 * The request to send: the document as written, with validUntil and clientRequestId from flags
 * taking precedence. Anything not an object is passed through for the validator to report.
 */
export function applyOverrides(doc: unknown, overrides: RequestOverrides): unknown {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return doc
  const out: Record<string, unknown> = {}
  if (overrides.validUntil !== undefined) out.validUntil = overrides.validUntil
  if (overrides.clientRequestId !== undefined) out.clientRequestId = overrides.clientRequestId
  return {...out, ...(doc as Record<string, unknown>), ...out}
}

// ---- quick flags ----------------------------------------------------------------------------

export type QuickStep =
  | {kind: 'say'; text: string}
  | {kind: 'play'; url: string}
  | {kind: 'capture'; prompt: string}
  | {kind: 'hangup'}
  | {kind: 'voice'; profile: string}

export interface CaptureOptions {
  minDigits?: number
  maxDigits?: number
  digitTimeout?: number
  overallTimeout?: number
  noOfTries?: number
  completeOnHash?: boolean
}

/**
 * The sayAndCapture parameters for a prompt: what was given, else CAPTURE_DEFAULTS; a default
 * gives way where it would contradict a given value (maxDigits below minDigits, overallTimeout
 * below digitTimeout).
 */
export function captureParams(prompt: string, voiceProfile: string, given: CaptureOptions = {}): SayAndCaptureParams {
  const minDigits = given.minDigits ?? CAPTURE_DEFAULTS.minDigits
  const digitTimeout = given.digitTimeout ?? CAPTURE_DEFAULTS.digitTimeout
  return {
    promptMessage: prompt,
    voiceProfile,
    minDigits,
    maxDigits: given.maxDigits ?? Math.max(CAPTURE_DEFAULTS.maxDigits, minDigits),
    digitTimeout,
    overallTimeout: given.overallTimeout ?? Math.max(CAPTURE_DEFAULTS.overallTimeout, digitTimeout),
    completeOnHash: given.completeOnHash ?? CAPTURE_DEFAULTS.completeOnHash,
    noOfTries: given.noOfTries ?? CAPTURE_DEFAULTS.noOfTries,
  }
}

export interface QuickCallflowInput {
  from: string
  to: string
  /** In the order given on the command line; a voice step applies to the spoken steps after it. */
  steps: readonly QuickStep[]
  capture?: CaptureOptions
}

/**
 * A callflow from quick flags: makeCall, then the steps in order. A spoken step uses the voice
 * given before it, else the first voice given at all, else DEFAULT_VOICE_PROFILE.
 */
export function buildQuickCallflow(input: QuickCallflowInput): Action[] {
  const firstVoice = input.steps.find((s): s is Extract<QuickStep, {kind: 'voice'}> => s.kind === 'voice')?.profile
  let voice = firstVoice ?? DEFAULT_VOICE_PROFILE
  const flow: Action[] = [{action: 'makeCall', params: {source: input.from, destination: input.to}}]
  for (const step of input.steps) {
    switch (step.kind) {
      case 'voice': {
        voice = step.profile
        break
      }
      case 'say': {
        flow.push({action: 'say', params: {text: step.text, voiceProfile: voice}})
        break
      }
      case 'play': {
        flow.push({action: 'playFile', params: {fileUrl: step.url}})
        break
      }
      case 'capture': {
        flow.push({action: 'sayAndCapture', params: captureParams(step.prompt, voice, input.capture)})
        break
      }
      case 'hangup': {
        flow.push({action: 'hangup'})
        break
      }
    }
  }
  return flow
}

export function quickRequest(input: QuickCallflowInput, overrides: RequestOverrides = {}): CallflowRequest {
  return applyOverrides({callflow: buildQuickCallflow(input)}, overrides) as CallflowRequest
}

/** Where Send Callflow is POSTed, for --dry-run (the same path the API client uses). */
export function callflowsUrl(baseUrl: string, subAccountId: string): string {
  return operationUrl(baseUrl, subAccountId, 'callflows')
}
