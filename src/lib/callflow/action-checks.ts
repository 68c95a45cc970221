/** Each action's own rules beyond its parameter specs (CHECKERS, keyed by action name). */
import {checkPhoneNumber} from './phone.js'
import {CAPTURE_DOC_DEFAULTS, LIMITS, type ActionName} from './types.js'
import {actionPath, paramPath, type Checker} from './checker.js'
import type {ParamSpec} from './params.js'

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
export function phone(c: Checker, path: string, what: string, value: string): boolean {
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
export const CHECKERS: Record<ActionName, ParamsChecker> = {
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
