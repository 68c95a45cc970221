/** The sandbox engine's public types, options, timings and error: what its callers and its parts share. */
import type {Recording, WebhookType} from '../api/types.js'
import {CAPTURE_DOC_DEFAULTS} from '../callflow/types.js'
import type {SessionSummaryPayload} from '../webhooks/payloads.js'
import type {Population} from './population.js'
import type {SandboxState} from './state.js'

/** The webhook types the sandbox delivers (of the API's WebhookType: VNU is never sent). */
export type WebhookKind = Extract<WebhookType, 'VCA' | 'VCS' | 'VSS' | 'VRU'>
export interface DeliveryRequest {type: WebhookKind; url: string; authHeader?: string; body: unknown}
export interface DeliveryResponse {status: number; body: unknown}
/** Sends one webhook; rejects on transport failure or timeout. */
export type Deliver = (req: DeliveryRequest) => Promise<DeliveryResponse>

export type CaptureEnd = 'max-digits' | 'hash' | 'digit-timeout' | 'overall-timeout'

interface EventBase {at: string; leg?: 'A' | 'B'}
export type TimelineEvent = EventBase & (
  | {kind: 'call'; status: 'initiated' | 'ringing' | 'answered' | 'busy' | 'no-answer' | 'failed' | 'error' | 'disconnected'; number: string; sipCode?: number; to?: string}
  | {kind: 'say'; role: 'say' | 'prompt' | 'success' | 'failure'; text: string; voiceProfile?: string; repetition: number; speed: number; seconds: number}
  | {kind: 'play'; fileUrl: string; repetition: number; seconds: number}
  | {kind: 'waiting'; attempt: number; minDigits: number; maxDigits: number; completeOnHash: boolean; timeoutMs: number}
  | {kind: 'input'; keys: string; attempt: number}
  | {kind: 'capture'; digits: string | null; valid: boolean; ended: CaptureEnd; attempt: number; tries: number}
  | {kind: 'bridge'; seconds: number}
  | {kind: 'webhook'; type: WebhookKind; url: string; attempt: number; request: unknown; response?: DeliveryResponse; error?: string; ms: number}
  | {kind: 'hangup'; by: 'callflow' | 'platform' | 'called-party' | 'caller'}
  | {kind: 'error'; code: number; message: string}
)

/** An event before its time is stamped. */
export type EventInput = TimelineEvent extends infer E ? (E extends TimelineEvent ? Omit<E, 'at'> : never) : never

export interface Timeline {
  sessionId: string
  subAccountId: string
  direction: 'OUTBOUND' | 'INBOUND'
  source: string
  destination: string
  clientRequestId?: string
  /** A makeCall asked for callRecording. */
  callRecording?: boolean
  /** The recording of a connected call that asked for one, once the call is over: GET /recordings/{sessionId} lists it. */
  recording?: Recording
  /** running until the VSS has been delivered (or given up on). */
  state: 'running' | 'ended'
  sessionStatus?: string
  startedAt: string
  events: TimelineEvent[]
  summary?: SessionSummaryPayload
}

export interface SessionListItem {
  sessionId: string
  subAccountId: string
  direction: 'OUTBOUND' | 'INBOUND'
  source: string
  destination: string
  state: 'running' | 'ended'
  sessionStatus?: string
  startedAt: string
  endedAt?: string
}

export interface EngineOptions {
  state?: SandboxState
  deliver?: Deliver
  now?: () => Date
  realtime?: boolean
  /** -1014 when a makeCall source is not one of the sub-account's numbers (default true). */
  enforceSourceNumbers?: boolean
  /** Deliver one VSS in three twice (the first session's included), for idempotency tests. */
  duplicates?: boolean
  /** How long the platform waits for a VCA answer (default 5000 ms). */
  vcaTimeoutMs?: number
  /** How long a VCS/VSS delivery may take before it counts as failed (default 5000 ms). */
  deliveryTimeoutMs?: number
  /** Waits before each retry of a failed VCS/VSS delivery (default 50/200/800 ms, realtime 1/4/16 s). */
  retryDelaysMs?: number[]
  /** Finished sessions whose timeline is kept (default 5000); older ones are evicted. */
  maxSessions?: number
  /** Called whenever a session ends (the server saves its state file then). */
  onSessionEnd?: (t: Timeline) => void
  /** How destinations without a script or a magic number behave (docs/sandbox.md, "A callee population"). */
  population?: Population
  /** Send Callflow requests accepted per second; more are answered 429 with Retry-After. */
  cps?: number
  /** Calls live at once; a Send Callflow over it is CREATED and ends with ERROR -2010 (trunk capacity). */
  maxCalls?: number
}

export class SandboxError extends Error {
  override name = 'SandboxError'
  constructor(message: string, readonly httpStatus: number) {
    super(message)
  }
}

/** By name: a command and the lib may hold two copies of this module (oclif's loader). */
export function isSandboxError(e: unknown): e is SandboxError {
  return e instanceof Error && e.name === 'SandboxError'
}

export interface SubmitResult {
  httpStatus: number
  body: {sessionId?: string; sessionStatus: string; callFlowRequestId: string; validUntil?: string; statusCode: number; statusMessage: string}
  sessionId?: string
  /** With a 429: the whole seconds to wait (the Retry-After header). */
  retryAfter?: number
}

/** The platform's documented defaults (the API reference's reading, see docs/sandbox.md). */
export const CAPTURE_RUNTIME_DEFAULTS = {
  minDigits: 1,
  maxDigits: CAPTURE_DOC_DEFAULTS.maxDigits.reference,
  overallTimeout: CAPTURE_DOC_DEFAULTS.overallTimeout.reference,
  completeOnHash: CAPTURE_DOC_DEFAULTS.completeOnHash.reference,
  noOfTries: CAPTURE_DOC_DEFAULTS.noOfTries.reference,
} as const

/** Virtual durations (ms) of the simulated call; documented in docs/sandbox.md. */
export const TIMING = {
  ring: 4000,
  busy: 2000,
  noAnswer: 30_000,
  failed: 1000,
  noCoverage: 500,
  firstKey: 1000,
  betweenKeys: 500,
  charsPerSecond: 15,
  fileSeconds: 6,
  bridgeSeconds: 30,
  callerHangupAfter: 3000,
  maxVcaRounds: 50,
  maxSilentCaptures: 5,
} as const
