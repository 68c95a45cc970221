/** The parameter specs of every action (types, required, limits), keyed by action name. */
import {ACTION_NAMES, LIMITS, type ActionName} from './types.js'

export type Kind = 'string' | 'integer' | 'number' | 'boolean'
export interface ParamSpec {
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

export const voiceProfile: ParamSpec = {kind: 'string', required: true}
export const repetition: ParamSpec = {kind: 'integer', min: LIMITS.repetition.min, max: LIMITS.repetition.max}
export const speed: ParamSpec = {kind: 'number', min: LIMITS.speed.min, max: LIMITS.speed.max}
const spokenText = (required: boolean): ParamSpec => ({kind: 'string', required, nullable: !required, maxLength: LIMITS.textLength, spoken: true})

/** Each action's parameters (the registry's parameter specs: a new action must list its own). */
export const PARAMS = {
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
export const PARAM_NAMES: Record<ActionName, string[]> = Object.fromEntries(
  Object.entries(PARAMS).map(([k, v]) => [k, Object.keys(v)]),
) as Record<ActionName, string[]>

export const ACTION_SET: ReadonlySet<string> = new Set(ACTION_NAMES)
export const TOP_KEYS = {request: ['validUntil', 'clientRequestId', 'callflow'], vca: ['clientActionId', 'callflow']} as const
export const ACTION_KEYS = ['action', 'params']
