/** The callflow model: the five actions of the 8x8 Voice API, a Send Callflow request and a VCA response. */

export type ActionName = 'makeCall' | 'say' | 'sayAndCapture' | 'playFile' | 'hangup'
/** In the order the platform lists them in its -1007 message. */
export const ACTION_NAMES = ['say', 'sayAndCapture', 'makeCall', 'hangup', 'playFile'] as const satisfies readonly ActionName[]

export interface MakeCallParams {
  source: string
  destination: string
  callRecording?: boolean
}
export interface SayParams {
  text: string
  voiceProfile: string
  repetition?: number
  speed?: number
}
export interface SayAndCaptureParams {
  promptMessage: string
  voiceProfile: string
  speed?: number
  /** Not in the API reference, but 8x8's own examples send it. */
  repetition?: number
  minDigits?: number | null
  maxDigits?: number | null
  digitTimeout?: number | null
  overallTimeout?: number | null
  completeOnHash?: boolean | null
  noOfTries?: number | null
  successMessage?: string | null
  failureMessage?: string | null
}
export interface PlayFileParams {
  fileUrl: string
  repetition?: number
}

export type MakeCallAction = {action: 'makeCall'; params: MakeCallParams}
export type SayAction = {action: 'say'; params: SayParams}
export type SayAndCaptureAction = {action: 'sayAndCapture'; params: SayAndCaptureParams}
export type PlayFileAction = {action: 'playFile'; params: PlayFileParams}
export type HangupAction = {action: 'hangup'; params?: Record<string, never>}

export type Action = MakeCallAction | SayAction | SayAndCaptureAction | PlayFileAction | HangupAction

/** Body of POST /callflows. */
export interface CallflowRequest {
  /** `YYYY-MM-DDTHH:MM:SS.SSSZ`; after it, the platform no longer starts the session (-1015, -2007). */
  validUntil?: string
  clientRequestId?: string
  callflow: Action[]
}

/** The 200 body a VCA webhook answers with: the next step of the call. */
export interface VcaResponse {
  clientActionId?: string
  callflow: Action[]
}

/** Hard limits of the platform (API reference). */
export const LIMITS = {
  textLength: 3000,
  repetition: {min: 1, max: 3},
  speed: {min: 0.5, max: 2},
  maxDigits: 25,
  makeCallPerCallflow: 2,
  playFileExtensions: ['.mp3', '.wav'],
  playFileBytes: 5 * 1024 * 1024,
} as const

/**
 * sayAndCapture defaults where 8x8's docs disagree: the API reference (OpenAPI) against the
 * guides. The validator checks a callflow under both readings and says which it assumed.
 */
export const CAPTURE_DOC_DEFAULTS = {
  maxDigits: {reference: 1, guides: 25},
  overallTimeout: {reference: 5000, guides: 30_000},
  noOfTries: {reference: 1, guides: 3},
  completeOnHash: {reference: true, guides: true},
} as const

/**
 * What `send-callflow --capture` and `callflow new` put in a sayAndCapture unless told otherwise:
 * explicit values, so the callflow does not depend on the disputed defaults. They follow 8x8's
 * published IVR examples (one digit, digitTimeout equal to overallTimeout).
 */
export const CAPTURE_DEFAULTS = {
  minDigits: 1,
  maxDigits: 1,
  digitTimeout: 10_000,
  overallTimeout: 10_000,
  completeOnHash: false,
  noOfTries: 1,
} as const

/** Used by quick flags when no --voice is given: the voice of 8x8's own IVR example. */
export const DEFAULT_VOICE_PROFILE = 'en-US-Neural2-C'
