/**
 * The one callflow validator: `callflow validate`, `send-callflow`, the sandbox and the menu server
 * all check callflows here. It reports every problem, each with the platform's status code where
 * one exists, a JSON path in the platform's form (`$.callflow[2].params.text`) and a severity.
 * Pure and allocation-light: paths and messages are built only when something is wrong.
 */
import {lookupCode} from '../codes.js'
import {ACTION_NAMES, LIMITS, type ActionName} from './types.js'
import {didYouMean} from '../did-you-mean.js'
import {CHECKERS} from './action-checks.js'
import {actionPath, childPath, paramPath, Checker, isPlainObject, typeName, ISO_DATE_TIME} from './checker.js'
import {PARAMS, PARAM_NAMES, ACTION_SET, TOP_KEYS, ACTION_KEYS} from './params.js'
import type {Problem, ValidateOptions} from './problem.js'

export type {Problem, Severity, ValidateOptions} from './problem.js'
export {childPath} from './checker.js'
export {didYouMean} from '../did-you-mean.js'

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
