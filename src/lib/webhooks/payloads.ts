/**
 * Webhook bodies the platform POSTs (../shared/reference/voice-api.md, "Webhooks the platform sends").
 * The one definition of their shapes: the sandbox builds them, the receiver and menu server read them,
 * tests check both against these.
 */

export type EventType = 'CALL_ACTION' | 'CALL_STATUS' | 'SESSION_SUMMARY'

export interface WebhookEnvelope<P = unknown> {
  namespace: 'VOICE'
  eventType: EventType | string
  description?: string
  payload: P
  /** The schema version: an integer in 8x8's docs (5 in the IVR summary example); read tolerantly. */
  version?: number | string
}

export type CallDirection = 'INBOUND' | 'OUTBOUND'
export type CallType = 'PSTN' | 'VOIP'

/** The two ends of a call, as both call events and summary legs carry them. */
export interface CallEnds {
  source: string
  destination: string
  sourceFormat: string
  destinationFormat: string
  sourceCountryCode: string
  destinationCountryCode: string
  sourceRefId?: string | null
  destinationRefId?: string | null
}

/** Payload of a VCA (CALL_ACTION) and, with other callStatus values, of a VCS (CALL_STATUS). */
export interface CallEventPayload extends CallEnds {
  eventId: string
  callId: string
  sessionId: string
  subAccountId: string
  /** VCA: ACTION_COMPLETED or CALL_RECEIVED; VCS: CALL_RECEIVED, ringing, answered, disconnected. */
  callStatus: string
  callDirection: CallDirection
  callType: CallType
  callDuration: number
  eventData?: {dtmf?: string | null; [k: string]: unknown} | null
  sipCode?: number | null
  timestamp: string
  clientActionId?: string | null
}

export type SessionStatus =
  | 'COMPLETED' | 'BUSY' | 'NO_ANSWER' | 'FAILED' | 'CANCELED' | 'ERROR'
  | 'COMPLETED_UNSUBSCRIBED' | 'COMPLETED_UNSUB_ERROR' | 'UNSUBSCRIBED_CONTACT'
export const SESSION_STATUSES: readonly SessionStatus[] = ['COMPLETED', 'BUSY', 'NO_ANSWER', 'FAILED', 'CANCELED', 'ERROR', 'COMPLETED_UNSUBSCRIBED', 'COMPLETED_UNSUB_ERROR', 'UNSUBSCRIBED_CONTACT']

export type LastAction = 'MAKE_CALL' | 'SAY' | 'SAY_AND_CAPTURE' | 'PLAY_FILE' | 'HANGUP'

export interface CallQuality {
  mos: number
  packetLossRate: number
  jitter: number
}

export interface CallLeg extends CallEnds {
  callId: string
  callDirection: CallDirection
  callType: CallType
  initiatedTimestamp: string
  connectedTimestamp?: string | null
  disconnectedTimestamp: string
  callStatus: string
  /** Seconds. */
  callDuration: number
  callQuality?: CallQuality | null
}

/** Payload of a VSS (SESSION_SUMMARY): the authoritative end of a session. */
export interface SessionSummaryPayload {
  sessionId: string
  subAccountId: string
  sessionStatus: SessionStatus | string
  startTime: string
  endTime: string
  lastAction: LastAction | string
  callCount: number
  clientRequestId?: string | null
  errorDetails?: {errorMsg: string; errorCode: number} | null
  details: {callA: CallLeg; callB?: CallLeg | null}
}

export type VcaWebhook = WebhookEnvelope<CallEventPayload> & {eventType: 'CALL_ACTION'}
export type VcsWebhook = WebhookEnvelope<CallEventPayload> & {eventType: 'CALL_STATUS'}
export type VssWebhook = WebhookEnvelope<SessionSummaryPayload> & {eventType: 'SESSION_SUMMARY'}

/** MOS bands from 8x8's docs. */
export function mosBand(mos: number | undefined | null): 'excellent' | 'good' | 'fair' | 'poor' | 'bad' | undefined {
  if (mos === undefined || mos === null || !Number.isFinite(mos)) return undefined
  if (mos >= 4.3) return 'excellent'
  if (mos >= 4.0) return 'good'
  if (mos >= 3.6) return 'fair'
  if (mos >= 3.1) return 'poor'
  return 'bad'
}
