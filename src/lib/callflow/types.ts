/** The callflow model: the five actions of the 8x8 Voice API, a Send Callflow request and a VCA response. */

export type ActionName = 'makeCall' | 'say' | 'sayAndCapture' | 'playFile' | 'hangup'
export const ACTION_NAMES: readonly ActionName[] = ['say', 'sayAndCapture', 'makeCall', 'hangup', 'playFile']

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
  repetition?: number
  minDigits?: number
  maxDigits?: number
  digitTimeout?: number
  overallTimeout?: number
  completeOnHash?: boolean
  noOfTries?: number
  successMessage?: string | null
  failureMessage?: string | null
}
export interface PlayFileParams {
  fileUrl: string
  repetition?: number
}

export type Action =
  | {action: 'makeCall'; params: MakeCallParams}
  | {action: 'say'; params: SayParams}
  | {action: 'sayAndCapture'; params: SayAndCaptureParams}
  | {action: 'playFile'; params: PlayFileParams}
  | {action: 'hangup'; params?: Record<string, never>}

/** Body of POST /callflows. */
export interface CallflowRequest {
  validUntil?: string
  clientRequestId?: string
  callflow: Action[]
}

/** The 200 body a VCA webhook answers with: the next step of the call. */
export interface VcaResponse {
  clientActionId?: string
  callflow: Action[]
}
