/**
 * The interactive callflow builder behind `ivr callflow new`: the questions and the rules, with the
 * prompts themselves injected (the command supplies @inquirer/prompts; tests supply a script).
 * Every answer is checked by the validator as it is given.
 */
import type {SpeechProfile} from '../api/types.js'
import {checkPhoneNumber} from './phone.js'
import {captureParams} from './request.js'
import {ACTIONS, unhandledAction} from './actions.js'
import {CAPTURE_DEFAULTS, DEFAULT_VOICE_PROFILE, LIMITS, type Action, type ActionName, type CallflowRequest, type VcaResponse} from './types.js'
import {validateCallflow, type Problem, type ValidateOptions} from './validate.js'

export interface Choice<T> {
  name: string
  value: T
  description?: string
  /** Shown but not selectable, with the reason. */
  disabled?: string
}

export interface Prompter {
  select<T>(q: {message: string; choices: Array<Choice<T>>; default?: T}): Promise<T>
  input(q: {message: string; default?: string; validate?: (value: string) => true | string}): Promise<string>
  number(q: {message: string; default: number; min?: number; max?: number}): Promise<number>
  confirm(q: {message: string; default?: boolean}): Promise<boolean>
  /** Type-to-search over a list. */
  search(q: {message: string; source: (term: string | undefined) => Array<Choice<string>>}): Promise<string>
  /** Feedback between questions: what the validator says about the action just added. */
  note(problems: Problem[]): void
}

export interface BuilderOptions extends Omit<ValidateOptions, 'knownProfiles'> {
  /** The account's voices (cached list); empty: the voice is typed in. */
  profiles: readonly SpeechProfile[]
  defaultSource?: string
}

type Step = ActionName | 'done'

/** The same rule the validator applies to a whole callflow, applied to one parameter as it is typed. */
function paramCheck(action: unknown, key: string): true | string {
  const problems = validateCallflow({callflow: [action]}, {context: 'vca', warnUnchecked: false})
  const hit = problems.find((p) => p.severity === 'error' && p.path === `$.callflow[0].params.${key}`)
  return hit ? `${hit.message}${hit.hint ? ` (${hit.hint})` : ''}` : true
}

function phoneCheck(value: string): true | string {
  const r = checkPhoneNumber(value)
  if (!r.ok) return `"${value}" ${r.reason}${r.suggestion ? `: write ${r.suggestion}` : ''}`
  return true
}

export function profileChoices(profiles: readonly SpeechProfile[], term: string | undefined, preferred?: string): Array<Choice<string>> {
  const t = (term ?? '').trim().toLowerCase()
  const match = (p: SpeechProfile) => !t || [p.speechProfileCode, p.localeCode, p.localeDescription, p.gender].some((f) => String(f ?? '').toLowerCase().includes(t))
  const list = profiles.filter(match)
  if (preferred) list.sort((a, b) => Number(b.speechProfileCode === preferred) - Number(a.speechProfileCode === preferred))
  return list.map((p) => ({name: `${p.speechProfileCode}  ${p.localeDescription ?? p.localeCode} · ${p.gender ?? ''}`.trim(), value: p.speechProfileCode}))
}

/** Asks for a callflow, action by action, and returns the request (or VCA answer) it built. */
export async function buildCallflow(p: Prompter, opts: BuilderOptions): Promise<CallflowRequest | VcaResponse> {
  const known = opts.profiles.length > 0 ? new Set(opts.profiles.map((x) => x.speechProfileCode)) : undefined
  // What could not be checked is said once by the caller, not after every action.
  const vopts: ValidateOptions = {...opts, knownProfiles: known, warnUnchecked: false}
  const flow: Action[] = []
  let lastVoice = opts.profiles[0]?.speechProfileCode ?? DEFAULT_VOICE_PROFILE
  let source = opts.defaultSource ?? ''
  let clientActionId: string | undefined

  const voice = async (): Promise<string> => {
    const chosen = opts.profiles.length > 0
      ? await p.search({message: 'Voice (type to search)', source: (term) => profileChoices(opts.profiles, term, lastVoice)})
      : await p.input({message: 'Voice profile', default: lastVoice, validate: (v) => (v.trim() ? true : 'a voice profile is required')})
    lastVoice = chosen.trim()
    return lastVoice
  }
  const spoken = async (message: string, kind: 'say' | 'sayAndCapture'): Promise<string> => {
    const key = kind === 'say' ? 'text' : 'promptMessage'
    return p.input({
      message,
      validate: (v) => (v.trim() ? paramCheck({action: kind, params: {[key]: v, voiceProfile: 'x'}}, key) : 'say something: an empty prompt is silence'),
    })
  }
  const makeCall = async (first: boolean): Promise<Action> => {
    if (first || !source) source = (await p.input({message: 'Caller id (source number, E.164)', default: source || undefined, validate: phoneCheck})).trim()
    const destination = (await p.input({message: first ? 'Number to call (destination, E.164)' : 'Number to bridge in (destination, E.164)', validate: phoneCheck})).trim()
    return {action: 'makeCall', params: {source, destination}}
  }

  if (opts.context === 'request') {
    flow.push(await makeCall(true))
  } else {
    clientActionId = (await p.input({message: 'clientActionId (comes back in the next VCA; blank for none)', default: ''})).trim() || undefined
  }

  for (;;) {
    const makeCalls = flow.filter((a) => a.action === 'makeCall').length
    const previous = flow.at(-1)?.action
    const choices: Array<Choice<Step>> = [
      {name: ACTIONS.say.builderChoice, value: 'say'},
      {name: ACTIONS.sayAndCapture.builderChoice, value: 'sayAndCapture'},
      {name: ACTIONS.playFile.builderChoice, value: 'playFile'},
      {name: ACTIONS.makeCall.builderChoice, value: 'makeCall', disabled: makeCalls >= LIMITS.makeCallPerCallflow ? `(at most ${LIMITS.makeCallPerCallflow} per callflow)` : undefined},
      {name: ACTIONS.hangup.builderChoice, value: 'hangup', disabled: previous === 'sayAndCapture' ? '(not right after sayAndCapture: the digits would be ignored)' : undefined},
      {name: 'done', value: 'done', disabled: flow.length === 0 ? '(add an action first)' : undefined},
    ]
    const step = await p.select<Step>({message: `Action ${flow.length + 1}`, choices, default: flow.length === 0 ? 'say' : undefined})
    if (step === 'done') break
    let action: Action
    switch (step) {
      case 'say': {
        const text = await spoken('Text to speak', 'say')
        const voiceProfile = await voice()
        const repetition = await p.number({message: 'Repetition (1-3)', default: 1, min: LIMITS.repetition.min, max: LIMITS.repetition.max})
        action = {action: 'say', params: {text, voiceProfile, ...(repetition === 1 ? {} : {repetition})}}
        break
      }
      case 'sayAndCapture': {
        const prompt = await spoken('Menu prompt (e.g. "Press 1 for sales, 2 for support")', 'sayAndCapture')
        const voiceProfile = await voice()
        const minDigits = await p.number({message: 'Fewest digits', default: CAPTURE_DEFAULTS.minDigits, min: 1, max: LIMITS.maxDigits})
        const maxDigits = await p.number({message: 'Most digits', default: Math.max(CAPTURE_DEFAULTS.maxDigits, minDigits), min: minDigits, max: LIMITS.maxDigits})
        const digitTimeout = await p.number({message: 'Time allowed between digits (ms)', default: CAPTURE_DEFAULTS.digitTimeout, min: 1})
        const overallTimeout = await p.number({message: 'Time allowed overall (ms, at least the previous)', default: Math.max(CAPTURE_DEFAULTS.overallTimeout, digitTimeout), min: digitTimeout})
        const completeOnHash = await p.confirm({message: 'Does # end the input?', default: CAPTURE_DEFAULTS.completeOnHash})
        const noOfTries = await p.number({message: 'Tries before giving up', default: CAPTURE_DEFAULTS.noOfTries, min: 1})
        action = {action: 'sayAndCapture', params: captureParams(prompt, voiceProfile, {minDigits, maxDigits, digitTimeout, overallTimeout, completeOnHash, noOfTries})}
        break
      }
      case 'playFile': {
        const fileUrl = (await p.input({message: 'Audio URL (http/https, mp3 or wav)', validate: (v) => paramCheck({action: 'playFile', params: {fileUrl: v.trim()}}, 'fileUrl')})).trim()
        action = {action: 'playFile', params: {fileUrl}}
        break
      }
      case 'makeCall': {
        action = await makeCall(false)
        break
      }
      case 'hangup': {
        action = {action: 'hangup'}
        break
      }
      default: {
        return unhandledAction(step)
      }
    }
    flow.push(action)
    const index = flow.length - 1
    const mine = validateCallflow({callflow: flow}, vopts).filter((x) => x.path === `$.callflow[${index}]` || x.path.startsWith(`$.callflow[${index}].`))
    if (mine.length > 0) p.note(mine)
    if (step === 'hangup') break
  }
  if (opts.context === 'vca') return clientActionId === undefined ? {callflow: flow} : {clientActionId, callflow: flow}
  return {callflow: flow}
}
