/**
 * The call engine: one state machine per session on a virtual clock. By default a session runs as
 * fast as the machine allows while its timestamps read like a real call; `realtime` paces it.
 * It knows nothing of HTTP routes: webhooks go out through a Deliver function (real HTTP by
 * default), so `ivr menu test` can drive a menu served in-process.
 */
import {randomUUID} from 'node:crypto'
import http from 'node:http'
import https from 'node:https'

import {parsePhoneNumberFromString} from 'libphonenumber-js'

import type {Recording, WebhookType} from '../api/types.js'
import {ACTIONS, unhandledAction} from '../callflow/actions.js'
import type {Action, CallflowRequest, SayAndCaptureParams} from '../callflow/types.js'
import {CAPTURE_DOC_DEFAULTS} from '../callflow/types.js'
import {platformRejection, validateCallflow} from '../callflow/validate.js'
import {lookupCode} from '../codes.js'
import type {CallEventPayload, CallLeg, LastAction, SessionSummaryPayload, WebhookEnvelope} from '../webhooks/payloads.js'
import {isOutcome, magicFor, normalizeNumber, type Outcome} from './magic.js'
import {checkLimits, RateLimiter} from './limits.js'
import {PlayFileChecker} from './media.js'
import {checkPopulation, PopulationDraw, type Population} from './population.js'
import {PROFILE_CODES} from './profiles.js'
import {DEFAULT_SUBACCOUNT, DEFAULT_NUMBERS, SandboxState} from './state.js'

// ---- public types ---------------------------------------------------------------------------

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

// ---- default delivery: real HTTP ------------------------------------------------------------

const agents = {http: new http.Agent({keepAlive: true, maxSockets: 64}), https: new https.Agent({keepAlive: true, maxSockets: 64})}

/** POSTs JSON to url; resolves with the status and the parsed body (or the raw text when it is not JSON). */
export function httpDeliver(timeoutMs: number): Deliver {
  return (req) => new Promise((resolve, reject) => {
    let url: URL
    try {
      url = new URL(req.url)
    } catch {
      reject(new Error(`invalid URL ${req.url}`))
      return
    }
    const lib = url.protocol === 'https:' ? https : http
    const data = JSON.stringify(req.body)
    const headers: Record<string, string | number> = {'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'user-agent': '8x8-voice-sandbox'}
    if (req.authHeader) headers.authorization = req.authHeader
    const r = lib.request(url, {method: 'POST', headers, agent: url.protocol === 'https:' ? agents.https : agents.http, timeout: timeoutMs}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        clearTimeout(timer)
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown = text
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text)
          } catch {
            body = text
          }
        }
        resolve({status: res.statusCode ?? 0, body})
      })
      res.on('error', (e) => { clearTimeout(timer); reject(e) })
    })
    // An overall deadline: `timeout` alone only covers idle sockets.
    const timer = setTimeout(() => r.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    r.on('timeout', () => r.destroy(new Error(`timed out after ${timeoutMs} ms`)))
    r.on('error', (e) => { clearTimeout(timer); reject(e) })
    r.end(data)
  })
}

// ---- callers' input -------------------------------------------------------------------------

/** Where a session's key presses come from: a script (one entry per capture), or a person typing. */
interface InputSource {
  interactive: boolean
  next(timeoutMs: number): Promise<string>
}

class ScriptedInput implements InputSource {
  interactive = false
  constructor(private readonly presses: string[]) {}
  get exhausted(): boolean {
    return this.presses.length === 0
  }

  async next(): Promise<string> {
    return this.presses.shift() ?? ''
  }
}

class LiveInput implements InputSource {
  interactive = true
  private queue: string[] = []
  private waiter?: (keys: string) => void
  /** The person hung up (end of input, Ctrl-D, Ctrl-C); keys typed before it are still pressed. */
  private hangingUp = false
  /** Whether the caller has gone: hung up with no typed keys left to press. */
  get gone(): boolean {
    return this.hangingUp && this.queue.length === 0
  }

  hangUp(): void {
    this.hangingUp = true
    const w = this.waiter
    this.waiter = undefined
    w?.('')
  }

  push(keys: string): void {
    if (this.waiter) {
      const w = this.waiter
      this.waiter = undefined
      w(keys)
    } else this.queue.push(keys)
  }

  next(timeoutMs: number): Promise<string> {
    const queued = this.queue.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    if (this.hangingUp) return Promise.resolve('')
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiter = undefined; resolve('') }, timeoutMs).unref()
      this.waiter = (keys) => { clearTimeout(timer); resolve(keys) }
    })
  }
}

/** Splits `1,2#,,3` into one entry per capture ('' = presses nothing). */
export function parsePresses(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return []
  const list = typeof value === 'string' ? value.split(',') : [...value]
  return list.map((s) => String(s).replace(/\s+/g, ''))
}

const KEYS = /^[\d*#]*$/
export function checkPresses(presses: readonly string[]): string | undefined {
  const bad = presses.find((p) => !KEYS.test(p))
  return bad === undefined ? undefined : `"${bad}" holds keys a phone does not have (use 0-9, * and #)`
}

// ---- the engine -----------------------------------------------------------------------------

interface LegState {
  name: 'A' | 'B'
  callId: string
  direction: 'OUTBOUND' | 'INBOUND'
  source: string
  destination: string
  sourceRefId?: string | null
  destinationRefId?: string | null
  initiated: number
  connected?: number
  disconnected?: number
  status: string
  sipCode?: number
}

interface SessionRecord {
  timeline: Timeline
  input: InputSource
  waiters: Array<(t: Timeline) => void>
  listeners: Set<() => void>
  endedAt?: string
  /** The call holds one of the maxCalls places until it is over. */
  holdsPlace?: boolean
}

// The engine's timers never keep a process alive on their own: a stopped sandbox exits at once
// instead of waiting out a live call's key wait or a webhook retry (the server, while it listens,
// is what keeps a sandbox running).
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

function countryOf(number: string): string {
  return parsePhoneNumberFromString(`+${normalizeNumber(number)}`)?.country ?? ''
}

/** A stable pseudo-random fraction per id, so quality figures look varied yet repeat. */
function fraction(id: string, salt: number): number {
  let h = 2_166_136_261 ^ salt
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16_777_619)
  return ((h >>> 0) % 10_000) / 10_000
}

function speechMs(text: string, speed: number, repetition: number): number {
  const perTime = Math.max(1000, Math.round((text.length / TIMING.charsPerSecond / speed) * 1000))
  return perTime * repetition
}


export class CallEngine {
  readonly state: SandboxState
  private readonly deliver: Deliver
  private readonly now: () => Date
  private readonly opts: EngineOptions
  private readonly sessions = new Map<string, SessionRecord>()
  private readonly finished: string[] = []
  private vssCount = 0
  private readonly population?: PopulationDraw
  private readonly limiter?: RateLimiter
  /** Calls holding a place under maxCalls. */
  private liveCalls = 0
  /** What downloading a playFile's URL would find (cached an hour by URL). */
  readonly files: PlayFileChecker

  constructor(opts: EngineOptions = {}) {
    this.opts = opts
    this.now = opts.now ?? (() => new Date())
    const invalid = (opts.population && checkPopulation(opts.population)) ?? checkLimits({cps: opts.cps, maxCalls: opts.maxCalls})
    if (invalid) throw new SandboxError(invalid, 400)
    if (opts.population) this.population = new PopulationDraw(opts.population)
    this.files = new PlayFileChecker(() => this.now().getTime())
    if (opts.cps !== undefined) this.limiter = new RateLimiter(opts.cps, this.now().getTime())
    this.state = opts.state ?? new SandboxState(DEFAULT_NUMBERS, this.now)
    // The transport's own deadline must not cut a VCA shorter than the VCA timeout.
    this.deliver = opts.deliver ?? httpDeliver(Math.max(opts.deliveryTimeoutMs ?? 5000, opts.vcaTimeoutMs ?? 5000))
  }

  // -- webhooks and scripts, for in-process use (the HTTP routes edit the same state) --

  /** Registers (replaces) a webhook of a sub-account, as POST /webhooks does. */
  registerWebhook(subAccountId: string, type: 'VCA' | 'VCS' | 'VSS' | 'VRU' | 'VNU', url: string, authHeader?: string, enabled = true): void {
    this.state.sub(subAccountId).webhooks[type] = {type, url, enabled, ...(authHeader ? {authHeader} : {})}
  }

  /** What a destination number presses (one entry per capture, e.g. ['1', '2#']) and, optionally, how it answers. */
  setPresses(subAccountId: string, destination: string, presses: string | readonly string[], opts: {outcome?: Outcome; once?: boolean} = {}): void {
    this.state.setScript(subAccountId, destination, {presses: parsePresses(presses), outcome: opts.outcome, once: opts.once})
  }

  setOutcome(subAccountId: string, destination: string, outcome: Outcome | undefined): void {
    const cur = this.state.script(subAccountId, destination) ?? {}
    this.state.setScript(subAccountId, destination, {...cur, outcome})
  }

  // -- starting sessions --

  /**
   * POST /callflows: the shared validator decides, with the platform's codes; CREATED starts a
   * simulated session. `outcome` overrides the called party's behaviour for this request.
   */
  submitCallflow(subAccountId: string, body: unknown, opts: {outcome?: Outcome; interactive?: boolean} = {}): SubmitResult {
    const callFlowRequestId = randomUUID()
    const wait = this.limiter?.take(this.now().getTime()) ?? 0
    if (wait > 0) {
      return {httpStatus: 429, retryAfter: wait, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId, statusCode: 429, statusMessage: `Too many requests: more than ${this.opts.cps} Send Callflow requests per second; retry after ${wait} s`}}
    }
    const sub = this.state.sub(subAccountId)
    const vca = sub.webhooks.VCA
    const problems = validateCallflow(body, {context: 'request', now: this.now(), knownProfiles: PROFILE_CODES, vcaWebhookRegistered: Boolean(vca?.enabled), warnUnchecked: false})
    const rejection = platformRejection(problems)
    // 8x8's spec lists its -1013 example ("First action should be a MakeCall action") under 422; every other refusal under 400.
    if (rejection) return {httpStatus: rejection.statusCode === -1013 ? 422 : 400, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId, ...rejection}}
    const request = body as CallflowRequest
    const first = request.callflow[0] as Extract<Action, {action: 'makeCall'}>
    if (this.opts.enforceSourceNumbers !== false && !this.state.findNumber(subAccountId, first.params.source)) {
      const meaning = lookupCode(-1014)?.meaning ?? 'Source or caller id not allowed'
      return {httpStatus: 400, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId, statusCode: -1014, statusMessage: `${meaning}: ${first.params.source} is not a number of sub-account ${subAccountId}`}}
    }
    const sessionId = randomUUID()
    const source = first.params.source
    const destination = first.params.destination
    const record = this.createRecord({sessionId, subAccountId, direction: 'OUTBOUND', source, destination, clientRequestId: request.clientRequestId, interactive: opts.interactive})
    if (request.callflow.some((a) => a.action === 'makeCall' && a.params.callRecording === true)) record.timeline.callRecording = true
    // Over trunk capacity the platform still creates the session; the call fails with -2010.
    const full = this.opts.maxCalls !== undefined && this.liveCalls >= this.opts.maxCalls
    if (!full) this.takePlace(record)
    void this.run(record, () => this.runOutbound(record, request, full ? 'trunk-capacity' : opts.outcome))
    return {
      httpStatus: 200,
      sessionId,
      body: {sessionId, sessionStatus: 'CREATED', callFlowRequestId, ...(request.validUntil ? {validUntil: request.validUntil} : {}), statusCode: 1, statusMessage: 'Created'},
    }
  }

  /** Starts an outbound session from a request; throws a SandboxError with the platform's answer when it is refused. */
  startOutbound(subAccountId: string, request: CallflowRequest, opts: {outcome?: Outcome; interactive?: boolean} = {}): string {
    const res = this.submitCallflow(subAccountId, request, opts)
    if (!res.sessionId) throw new SandboxError(`${res.body.statusCode} ${res.body.statusMessage}`, res.httpStatus)
    return res.sessionId
  }

  /**
   * An inbound call from `from` to one of the sub-account's virtual numbers: a CALL_RECEIVED VCA,
   * then whatever the answer says. Presses default to the script of the calling number.
   */
  startInbound(input: {subAccountId?: string; from: string; to: string; presses?: string | readonly string[]; interactive?: boolean}): string {
    const subAccountId = input.subAccountId ?? DEFAULT_SUBACCOUNT
    const number = this.state.findNumber(subAccountId, input.to)
    if (!number) throw new SandboxError(`${input.to} is not a virtual number of sub-account ${subAccountId}`, 404)
    const vca = this.state.sub(subAccountId).webhooks.VCA
    if (!vca?.enabled) throw new SandboxError(`sub-account ${subAccountId} has no VCA webhook: inbound calls to a virtual number go to it`, 409)
    if (!/^\+?[1-9]\d{6,14}$/.test(input.from.trim())) throw new SandboxError(`${input.from} is not a phone number in E.164 form`, 400)
    const presses = input.presses === undefined ? undefined : parsePresses(input.presses)
    const bad = presses && checkPresses(presses)
    if (bad) throw new SandboxError(bad, 400)
    const sessionId = randomUUID()
    const record = this.createRecord({sessionId, subAccountId, direction: 'INBOUND', source: input.from, destination: number.msisdn, interactive: input.interactive, presses})
    this.takePlace(record)
    void this.run(record, () => this.runInbound(record, number.referenceId))
    return sessionId
  }

  /** Keys typed by the person on an interactive session. */
  sendDigits(sessionId: string, keys: string): void {
    const r = this.sessions.get(sessionId)
    if (!r) throw new SandboxError(`no session ${sessionId}`, 404)
    if (!(r.input instanceof LiveInput)) throw new SandboxError(`session ${sessionId} is not interactive`, 409)
    if (!KEYS.test(keys)) throw new SandboxError(`"${keys}" holds keys a phone does not have (use 0-9, * and #)`, 400)
    r.input.push(keys)
  }

  /** The person on an interactive session hangs up (after any keys they already typed). */
  hangUp(sessionId: string): void {
    const r = this.sessions.get(sessionId)
    if (!r) throw new SandboxError(`no session ${sessionId}`, 404)
    if (!(r.input instanceof LiveInput)) throw new SandboxError(`session ${sessionId} is not interactive`, 409)
    r.input.hangUp()
  }

  // -- reading sessions --

  timeline(sessionId: string): Timeline | undefined {
    return this.sessions.get(sessionId)?.timeline
  }

  /** Resolves with the timeline once the session has ended (VSS delivered or given up on). */
  waitForEnd(sessionId: string): Promise<Timeline> {
    const r = this.sessions.get(sessionId)
    if (!r) return Promise.reject(new SandboxError(`no session ${sessionId}`, 404))
    if (r.timeline.state === 'ended') return Promise.resolve(r.timeline)
    return new Promise((resolve) => r.waiters.push(resolve))
  }

  /** Resolves when the session has more than `known` events or has ended, or after timeoutMs. */
  waitForChange(sessionId: string, known: number, timeoutMs: number): Promise<Timeline | undefined> {
    const r = this.sessions.get(sessionId)
    if (!r) return Promise.resolve(undefined)
    if (r.timeline.events.length > known || r.timeline.state === 'ended') return Promise.resolve(r.timeline)
    return new Promise((resolve) => {
      const done = () => {
        if (r.timeline.events.length <= known && r.timeline.state !== 'ended') return
        clearTimeout(timer)
        r.listeners.delete(done)
        resolve(r.timeline)
      }
      const timer = setTimeout(() => { r.listeners.delete(done); resolve(r.timeline) }, timeoutMs).unref()
      r.listeners.add(done)
    })
  }

  listSessions(subAccountId?: string): SessionListItem[] {
    const out: SessionListItem[] = []
    for (const r of this.sessions.values()) {
      const t = r.timeline
      if (subAccountId && t.subAccountId !== subAccountId) continue
      out.push({sessionId: t.sessionId, subAccountId: t.subAccountId, direction: t.direction, source: t.source, destination: t.destination, state: t.state, sessionStatus: t.sessionStatus, startedAt: t.startedAt, endedAt: t.summary?.endTime})
    }
    return out
  }

  /** Finished sessions' summaries (for log exports). */
  summaries(subAccountId: string): SessionSummaryPayload[] {
    const out: SessionSummaryPayload[] = []
    for (const r of this.sessions.values()) if (r.timeline.subAccountId === subAccountId && r.timeline.summary) out.push(r.timeline.summary)
    return out
  }

  /** Adds a finished session as if it had run (seeding, state file). */
  addFinished(t: Timeline): void {
    this.sessions.set(t.sessionId, {timeline: t, input: new ScriptedInput([]), waiters: [], listeners: new Set(), endedAt: t.summary?.endTime})
    this.finished.push(t.sessionId)
    this.evict()
  }

  finishedTimelines(): Timeline[] {
    return this.finished.map((id) => this.sessions.get(id)?.timeline).filter((t): t is Timeline => Boolean(t))
  }

  get runningCount(): number {
    return this.sessions.size - this.finished.length
  }

  /** Calls in progress that count against maxCalls. */
  get liveCallCount(): number {
    return this.liveCalls
  }

  private takePlace(record: SessionRecord): void {
    record.holdsPlace = true
    this.liveCalls++
  }

  /** The call is over (its summary is made): its place under maxCalls is free again. */
  releasePlace(record: SessionRecord): void {
    if (!record.holdsPlace) return
    record.holdsPlace = false
    this.liveCalls--
  }

  // ---- internals ------------------------------------------------------------------------------

  private createRecord(s: {sessionId: string; subAccountId: string; direction: 'OUTBOUND' | 'INBOUND'; source: string; destination: string; clientRequestId?: string; interactive?: boolean; presses?: string[]}): SessionRecord {
    const presses = s.presses
      ?? this.state.takePresses(s.subAccountId, s.direction === 'OUTBOUND' ? s.destination : s.source)
      ?? (s.direction === 'OUTBOUND' ? this.population?.presses(s.destination) : undefined)
      ?? []
    const record: SessionRecord = {
      timeline: {
        sessionId: s.sessionId, subAccountId: s.subAccountId, direction: s.direction, source: s.source, destination: s.destination,
        ...(s.clientRequestId === undefined ? {} : {clientRequestId: s.clientRequestId}),
        state: 'running', startedAt: this.now().toISOString(), events: [],
      },
      input: s.interactive ? new LiveInput() : new ScriptedInput(presses),
      waiters: [],
      listeners: new Set(),
    }
    this.sessions.set(s.sessionId, record)
    return record
  }

  private async run(record: SessionRecord, body: () => Promise<void>): Promise<void> {
    try {
      await body()
    } catch (error) {
      // A bug in the simulation must still end the session the way the platform would: ERROR -2001.
      const t = record.timeline
      if (t.state === 'running' && !t.summary) {
        t.events.push({at: this.now().toISOString(), kind: 'error', code: -2001, message: `internal error: ${(error as Error).message}`})
        t.sessionStatus = 'ERROR'
      }
    }
    this.releasePlace(record)
    const t = record.timeline
    t.state = 'ended'
    record.endedAt = t.summary?.endTime ?? this.now().toISOString()
    this.finished.push(t.sessionId)
    for (const w of record.waiters) w(t)
    record.waiters = []
    for (const l of [...record.listeners]) l()
    this.evict()
    this.opts.onSessionEnd?.(t)
  }

  private evict(): void {
    const max = this.opts.maxSessions ?? 5000
    while (this.finished.length > max) {
      const id = this.finished.shift()!
      this.sessions.delete(id)
    }
  }

  private async runOutbound(record: SessionRecord, request: CallflowRequest, override?: Outcome): Promise<void> {
    const run = new Run(this, record, this.opts)
    const [first, ...rest] = request.callflow as Action[]
    const mc = (first as Extract<Action, {action: 'makeCall'}>).params
    const sourceNumber = this.state.findNumber(record.timeline.subAccountId, mc.source)
    run.lastAction = 'MAKE_CALL'
    const ok = await run.dial('A', 'OUTBOUND', mc.source, mc.destination, sourceNumber?.referenceId ?? null, null, override)
    if (!ok) return run.finish()
    await run.actions(rest)
    await run.finish()
  }

  private async runInbound(record: SessionRecord, referenceId: string): Promise<void> {
    const run = new Run(this, record, this.opts)
    const t = record.timeline
    run.legA = {name: 'A', callId: randomUUID(), direction: 'INBOUND', source: t.source, destination: t.destination, sourceRefId: null, destinationRefId: referenceId, initiated: run.t, status: 'RINGING'}
    // Inbound: `number` is the caller, `to` the virtual number called.
    run.event({kind: 'call', leg: 'A', status: 'initiated', number: t.source, to: t.destination})
    await run.vcs('A', 'CALL_RECEIVED')
    const answer = await run.vca('CALL_RECEIVED', undefined)
    if (!answer) return run.finish()
    // The call is answered when the platform has something to play.
    run.legA.connected = run.t
    run.legA.status = 'ANSWERED'
    run.legA.sipCode = 200
    run.event({kind: 'call', leg: 'A', status: 'answered', number: t.destination, sipCode: 200})
    await run.vcs('A', 'ANSWERED')
    await run.actions(answer)
    await run.finish()
  }

  /** For Run: the sub-account's registered webhook of a type, if enabled. */
  webhook(subAccountId: string, type: WebhookKind) {
    const w = this.state.sub(subAccountId).webhooks[type]
    return w?.enabled ? w : undefined
  }

  /** The real time now (ms), as the engine's clock reads it. */
  clock(): number {
    return this.now().getTime()
  }

  send(req: DeliveryRequest): Promise<DeliveryResponse> {
    return this.deliver(req)
  }

  /** Whether this VSS is one of those delivered twice under --duplicates (the first, then every third). */
  duplicateNext(): boolean {
    return Boolean(this.opts.duplicates) && this.vssCount++ % 3 === 0
  }

  outcomeFor(subAccountId: string, destination: string, override?: Outcome): Outcome {
    if (override) return override
    const scripted = this.state.script(subAccountId, destination)?.outcome
    if (isOutcome(scripted)) return scripted
    return magicFor(destination)?.outcome ?? this.population?.outcome(destination) ?? 'answer'
  }
}

/** One session being played out. */
class Run {
  t: number
  legA?: LegState
  legB?: LegState
  lastAction: LastAction = 'MAKE_CALL'
  clientActionId?: string
  error?: {code: number; message: string}
  status?: string
  ended = false
  private outcomeA: Outcome = 'answer'
  private vcaRounds = 0
  private silentCaptures = 0
  private hungUpByCaller = false

  constructor(private readonly engine: CallEngine, private readonly record: SessionRecord, private readonly opts: EngineOptions) {
    this.t = Date.parse(record.timeline.startedAt)
  }

  private get tl(): Timeline {
    return this.record.timeline
  }

  /** How far the virtual clock ran ahead of the real one; set when the session ends (see backDate). */
  private shift = 0

  private iso(ms = this.t): string {
    return new Date(ms - this.shift).toISOString()
  }

  /**
   * A session on the virtual clock ends (virtually) later than the real moment it finished: stamp
   * it as having ended when it actually finished, so no timestamp handed out lies in the future.
   */
  private backDate(): void {
    this.shift = Math.max(0, this.t - this.engine.clock())
    if (this.shift === 0) return
    const back = (at: string) => new Date(Date.parse(at) - this.shift).toISOString()
    this.tl.startedAt = back(this.tl.startedAt)
    for (const e of this.tl.events) e.at = back(e.at)
  }

  /** Whether an interactive caller hung up; records it once. */
  private callerLeft(): boolean {
    if (this.hungUpByCaller) return true
    if (!(this.record.input instanceof LiveInput) || !this.record.input.gone) return false
    this.event({kind: 'hangup', by: 'caller'})
    this.hungUpByCaller = true
    return true
  }

  async advance(ms: number): Promise<void> {
    if (ms <= 0) return
    this.t += ms
    if (this.opts.realtime) await sleep(ms)
  }

  event(e: EventInput, atMs = this.t): void {
    this.tl.events.push({at: this.iso(atMs), ...e} as TimelineEvent)
    for (const l of [...this.record.listeners]) l()
  }

  private fail(code: number, message: string): void {
    this.error = {code, message}
    this.status = 'ERROR'
    this.event({kind: 'error', code, message})
  }

  // -- legs --

  async dial(name: 'A' | 'B', direction: 'OUTBOUND', source: string, destination: string, sourceRefId: string | null, destinationRefId: string | null, override?: Outcome): Promise<boolean> {
    const outcome = this.engine.outcomeFor(this.tl.subAccountId, destination, name === 'A' ? override : undefined)
    const leg: LegState = {name, callId: randomUUID(), direction, source, destination, sourceRefId, destinationRefId, initiated: this.t, status: 'INITIATED'}
    if (name === 'A') {
      this.legA = leg
      this.outcomeA = outcome
    } else this.legB = leg
    this.event({kind: 'call', leg: name, status: 'initiated', number: destination})
    const end = async (status: string, sipCode: number, ms: number, ev: 'busy' | 'no-answer' | 'failed' | 'error') => {
      await this.advance(ms)
      leg.status = status
      leg.sipCode = sipCode
      leg.disconnected = this.t
      this.event({kind: 'call', leg: name, status: ev, number: destination, sipCode})
      return false
    }
    switch (outcome) {
      case 'no-coverage':
      case 'trunk-capacity': {
        const code = outcome === 'no-coverage' ? -2004 : -2010
        await end('ERROR', outcome === 'no-coverage' ? 404 : 503, TIMING.noCoverage, 'error')
        this.fail(code, lookupCode(code)?.meaning ?? 'error')
        return false
      }
      case 'busy': {
        await this.ring(name, 0)
        // A bridged leg that is not answered decides the session's status too (8x8's summary example: callB BUSY, session BUSY).
        this.status = 'BUSY'
        return end('BUSY', 486, TIMING.busy, 'busy')
      }
      case 'no-answer': {
        await this.ring(name, 0)
        this.status = 'NO_ANSWER'
        return end('NO_ANSWER', 480, TIMING.noAnswer, 'no-answer')
      }
      case 'failed': {
        this.status = 'FAILED'
        return end('FAILED', 503, TIMING.failed, 'failed')
      }
      default: {
        await this.ring(name, TIMING.ring)
        leg.connected = this.t
        leg.status = 'ANSWERED'
        leg.sipCode = 200
        // A later bridge that connects: the session completes after all.
        this.status = undefined
        this.event({kind: 'call', leg: name, status: 'answered', number: destination, sipCode: 200})
        await this.vcs(name, 'ANSWERED')
        return true
      }
    }
  }

  private async ring(name: 'A' | 'B', ms: number): Promise<void> {
    const leg = name === 'A' ? this.legA! : this.legB!
    leg.status = 'RINGING'
    this.event({kind: 'call', leg: name, status: 'ringing', number: leg.destination, sipCode: 180})
    await this.vcs(name, 'RINGING')
    await this.advance(ms)
  }

  // -- actions --

  /** Runs actions in order; a sayAndCapture's VCA answer runs next, before what followed it. */
  async actions(list: Action[]): Promise<void> {
    const queue = [...list]
    while (queue.length > 0 && !this.ended && !this.error && !this.callerLeft()) {
      const action = queue.shift()!
      this.lastAction = ACTIONS[action.action].lastAction
      switch (action.action) {
        case 'say': {
          const p = action.params
          if (!(await this.speak('say', p.text, p.voiceProfile, p.speed ?? 1, p.repetition ?? 1))) return
          break
        }
        case 'playFile': {
          const p = action.params
          const verdict = this.outcomeA === 'file-failure' ? {ok: false as const, reason: 'could not be downloaded'} : await this.engine.files.check(p.fileUrl)
          if (!verdict.ok) {
            await this.advance(1000)
            this.fail(-2006, `${lookupCode(-2006)?.meaning}: ${p.fileUrl} ${verdict.reason}`)
            return
          }
          const repetition = p.repetition ?? 1
          const seconds = TIMING.fileSeconds * repetition
          this.event({kind: 'play', fileUrl: p.fileUrl, repetition, seconds})
          if (!(await this.playFor(seconds * 1000))) return
          break
        }
        case 'hangup': {
          this.event({kind: 'hangup', by: 'callflow'})
          this.ended = true
          return
        }
        case 'makeCall': {
          const p = action.params
          const sourceNumber = this.engine.state.findNumber(this.tl.subAccountId, p.source)
          if (!sourceNumber && this.opts.enforceSourceNumbers !== false) {
            // Checked when the leg is placed, as the platform does for callflows it gets from a VCA answer.
            this.fail(-2008, `${lookupCode(-2008)?.meaning}: ${p.source} is not a number of sub-account ${this.tl.subAccountId}`)
            return
          }
          if (p.callRecording === true) this.tl.callRecording = true
          const ok = await this.dial('B', 'OUTBOUND', p.source, p.destination, sourceNumber?.referenceId ?? null, null)
          if (ok) {
            this.event({kind: 'bridge', seconds: TIMING.bridgeSeconds})
            await this.advance(TIMING.bridgeSeconds * 1000)
            this.legB!.disconnected = this.t
            this.legB!.status = 'COMPLETED'
            this.event({kind: 'call', leg: 'B', status: 'disconnected', number: p.destination})
            await this.vcs('B', 'DISCONNECTED')
          }
          break
        }
        case 'sayAndCapture': {
          const next = await this.capture(action.params)
          if (!next) return
          queue.unshift(...next)
          break
        }
        default: {
          unhandledAction(action)
        }
      }
    }
  }

  /** Plays TTS; false when the session ended during it (TTS failure, caller hung up). */
  private async speak(role: 'say' | 'prompt' | 'success' | 'failure', text: string, voiceProfile: string | undefined, speed: number, repetition: number): Promise<boolean> {
    if (this.outcomeA === 'tts-failure') {
      await this.advance(500)
      this.fail(-2005, `${lookupCode(-2005)?.meaning}: ${voiceProfile ?? 'voice'} could not speak the text`)
      return false
    }
    const ms = speechMs(text, speed, repetition)
    this.event({kind: 'say', role, text, ...(voiceProfile ? {voiceProfile} : {}), repetition, speed, seconds: Math.round(ms / 100) / 10})
    return this.playFor(ms)
  }

  private async playFor(ms: number): Promise<boolean> {
    if (this.outcomeA === 'caller-hangup') {
      await this.advance(Math.min(ms, TIMING.callerHangupAfter))
      this.event({kind: 'hangup', by: 'called-party'})
      this.hungUpByCaller = true
      return false
    }
    await this.advance(ms)
    return !this.callerLeft()
  }

  /** A sayAndCapture: tries, then a VCA; returns the answer's actions, or undefined when the session ends. */
  private async capture(p: SayAndCaptureParams): Promise<Action[] | undefined> {
    const d = CAPTURE_RUNTIME_DEFAULTS
    const minDigits = p.minDigits ?? d.minDigits
    const maxDigits = p.maxDigits ?? d.maxDigits
    const overall = p.overallTimeout ?? d.overallTimeout
    const digitTimeout = p.digitTimeout ?? overall
    const onHash = p.completeOnHash ?? d.completeOnHash
    const tries = Math.max(1, p.noOfTries ?? d.noOfTries)
    const speed = p.speed ?? 1
    let result: string | null = null
    for (let attempt = 1; attempt <= tries; attempt++) {
      if (!(await this.speak('prompt', p.promptMessage, p.voiceProfile, speed, p.repetition ?? 1))) return undefined
      this.event({kind: 'waiting', attempt, minDigits, maxDigits, completeOnHash: onHash, timeoutMs: overall})
      const started = Date.now()
      const keys = await this.record.input.next(overall)
      if (keys === '' && this.callerLeft()) return undefined
      if (this.record.input.interactive) {
        // A person took real time; the virtual clock follows it (at least the keys' own time).
        this.t += Date.now() - started
      }
      const {digits, ended, elapsed} = collectDigits(keys, {maxDigits, onHash, digitTimeout, overall})
      if (keys !== '') this.event({kind: 'input', keys, attempt}, this.record.input.interactive ? this.t : this.t + Math.min(TIMING.firstKey, elapsed))
      if (!this.record.input.interactive) await this.advance(elapsed)
      const valid = digits.length >= Math.max(1, minDigits) && digits.length <= maxDigits
      this.event({kind: 'capture', digits: valid ? digits : null, valid, ended, attempt, tries})
      if (valid) {
        result = digits
        if (p.successMessage) await this.speak('success', p.successMessage, p.voiceProfile, speed, 1)
        break
      }
      if (p.failureMessage && !(await this.speak('failure', p.failureMessage, p.voiceProfile, speed, 1))) return undefined
    }
    if (this.ended || this.error || this.hungUpByCaller) return undefined
    this.silentCaptures = result === null ? this.silentCaptures + 1 : 0
    const answer = await this.vca('ACTION_COMPLETED', result)
    if (!answer) return undefined
    if (this.vcaRounds >= TIMING.maxVcaRounds || (this.silentCaptures >= TIMING.maxSilentCaptures && this.record.input instanceof ScriptedInput && this.record.input.exhausted)) {
      // A real caller does not stay in a menu forever.
      this.event({kind: 'hangup', by: 'caller'})
      this.hungUpByCaller = true
      return undefined
    }
    return answer
  }

  // -- webhooks --

  private callPayload(legName: 'A' | 'B', callStatus: string, dtmf?: string | null): CallEventPayload {
    const leg = legName === 'A' ? this.legA! : this.legB!
    const duration = leg.connected === undefined ? 0 : Math.round((this.t - leg.connected) / 1000)
    return {
      eventId: randomUUID(), callId: leg.callId, sessionId: this.tl.sessionId, subAccountId: this.tl.subAccountId,
      callStatus, callDirection: leg.direction, callType: 'PSTN',
      source: leg.source, destination: leg.destination, sourceFormat: 'MSISDN', destinationFormat: 'MSISDN',
      sourceCountryCode: countryOf(leg.source), destinationCountryCode: countryOf(leg.destination),
      sourceRefId: leg.sourceRefId ?? null, destinationRefId: leg.destinationRefId ?? null,
      callDuration: duration,
      eventData: dtmf === undefined ? null : {dtmf},
      sipCode: leg.sipCode ?? null,
      // The moment it is sent: the virtual clock may be ahead of it.
      timestamp: new Date(Math.min(this.t, this.engine.clock())).toISOString(),
      clientActionId: this.clientActionId ?? null,
    }
  }

  /** A VCS (best effort, retried); nothing when no VCS webhook is registered. */
  async vcs(leg: 'A' | 'B', callStatus: string): Promise<void> {
    const hook = this.engine.webhook(this.tl.subAccountId, 'VCS')
    if (!hook) return
    const body: WebhookEnvelope<CallEventPayload> = {namespace: 'VOICE', eventType: 'CALL_STATUS', description: 'Call status update', payload: this.callPayload(leg, callStatus)}
    await this.deliverWithRetry('VCS', hook.url, hook.authHeader, body)
  }

  /**
   * A VCA round trip: the answer's actions, or undefined after ending the session with ERROR -2003
   * (timeout, non-200, malformed or invalid answer).
   */
  async vca(callStatus: 'ACTION_COMPLETED' | 'CALL_RECEIVED', dtmf: string | null | undefined): Promise<Action[] | undefined> {
    const hook = this.engine.webhook(this.tl.subAccountId, 'VCA')
    if (!hook) {
      this.fail(-2003, `${lookupCode(-2003)?.meaning}: no VCA webhook registered to ask for the next step`)
      return undefined
    }
    this.vcaRounds++
    const body = {namespace: 'VOICE', eventType: 'CALL_ACTION', description: 'Action request of a call', payload: this.callPayload('A', callStatus, callStatus === 'CALL_RECEIVED' ? undefined : dtmf)}
    const timeoutMs = this.opts.vcaTimeoutMs ?? 5000
    const started = Date.now()
    let res: DeliveryResponse
    try {
      res = await withTimeout(this.engine.send({type: 'VCA', url: hook.url, authHeader: hook.authHeader, body}), timeoutMs)
    } catch (error) {
      const message = (error as Error).message
      this.event({kind: 'webhook', type: 'VCA', url: hook.url, attempt: 1, request: body, error: message, ms: Date.now() - started})
      this.fail(-2003, `${lookupCode(-2003)?.meaning}: VCA webhook ${/timed out/.test(message) ? `timed out after ${timeoutMs} ms` : `could not be reached (${message})`}`)
      return undefined
    }
    const ms = Date.now() - started
    this.t += ms
    this.event({kind: 'webhook', type: 'VCA', url: hook.url, attempt: 1, request: body, response: res, ms})
    if (res.status !== 200) {
      this.fail(-2003, `${lookupCode(-2003)?.meaning}: VCA webhook answered HTTP ${res.status}`)
      return undefined
    }
    if (typeof res.body !== 'object' || res.body === null || Array.isArray(res.body)) {
      this.fail(-2003, `${lookupCode(-2003)?.meaning}: VCA webhook answer is not a JSON object`)
      return undefined
    }
    const problems = validateCallflow(res.body, {context: 'vca', now: new Date(this.t), knownProfiles: PROFILE_CODES, vcaWebhookRegistered: true, warnUnchecked: false})
    const rejection = platformRejection(problems)
    if (rejection) {
      this.fail(-2003, `${lookupCode(-2003)?.meaning}: VCA webhook answer is invalid (${rejection.statusCode}): ${rejection.statusMessage}`)
      return undefined
    }
    const answer = res.body as {clientActionId?: string; callflow: Action[]}
    this.clientActionId = answer.clientActionId ?? undefined
    return answer.callflow
  }

  private async deliverWithRetry(type: WebhookKind, url: string, authHeader: string | undefined, body: unknown): Promise<boolean> {
    const delays = this.opts.retryDelaysMs ?? (this.opts.realtime ? [1000, 4000, 16_000] : [50, 200, 800])
    for (let attempt = 1; attempt <= delays.length + 1; attempt++) {
      const started = Date.now()
      try {
        const res = await this.engine.send({type, url, authHeader, body})
        this.event({kind: 'webhook', type, url, attempt, request: body, response: res, ms: Date.now() - started})
        if (res.status >= 200 && res.status < 300) return true
      } catch (error) {
        this.event({kind: 'webhook', type, url, attempt, request: body, error: (error as Error).message, ms: Date.now() - started})
      }
      if (attempt <= delays.length) await sleep(delays[attempt - 1])
    }
    return false
  }

  // -- the end --

  private leg(l: LegState): CallLeg {
    const connected = l.connected
    const disconnected = l.disconnected ?? this.t
    const id = l.callId
    return {
      callId: id, callDirection: l.direction, callType: 'PSTN',
      initiatedTimestamp: this.iso(l.initiated),
      connectedTimestamp: connected === undefined ? null : this.iso(connected),
      disconnectedTimestamp: this.iso(disconnected),
      source: l.source, destination: l.destination, sourceFormat: 'MSISDN', destinationFormat: 'MSISDN',
      sourceCountryCode: countryOf(l.source), destinationCountryCode: countryOf(l.destination),
      sourceRefId: l.sourceRefId ?? null, destinationRefId: l.destinationRefId ?? null,
      callStatus: l.status,
      callDuration: connected === undefined ? 0 : Math.round((disconnected - connected) / 1000),
      callQuality: connected === undefined ? null : {
        mos: Math.round((3.9 + fraction(id, 1) * 0.6) * 100) / 100,
        packetLossRate: Math.round(fraction(id, 2) * 0.8 * 100) / 100,
        jitter: Math.round(2 + fraction(id, 3) * 14),
      },
    }
  }

  async finish(): Promise<void> {
    const a = this.legA!
    this.backDate()
    if (a.connected !== undefined && a.disconnected === undefined) {
      if (!this.ended && !this.hungUpByCaller && !this.error) this.event({kind: 'hangup', by: 'platform'})
      a.disconnected = this.t
      a.status = 'COMPLETED'
      this.event({kind: 'call', leg: 'A', status: 'disconnected', number: a.destination})
      await this.vcs('A', 'DISCONNECTED')
    } else if (a.disconnected === undefined) {
      a.disconnected = this.t
      if (a.status === 'RINGING' || a.status === 'INITIATED') a.status = this.error ? 'FAILED' : 'CANCELED'
    }
    const status = this.error ? 'ERROR' : this.status ?? 'COMPLETED'
    const summary: SessionSummaryPayload = {
      sessionId: this.tl.sessionId,
      subAccountId: this.tl.subAccountId,
      sessionStatus: status,
      startTime: this.iso(a.initiated),
      endTime: this.iso(),
      lastAction: this.lastAction,
      callCount: this.legB ? 2 : 1,
      clientRequestId: this.tl.clientRequestId ?? null,
      errorDetails: this.error ? {errorMsg: this.error.message, errorCode: this.error.code} : null,
      details: {callA: this.leg(a), ...(this.legB ? {callB: this.leg(this.legB)} : {})},
    }
    this.tl.summary = summary
    this.tl.sessionStatus = status
    this.engine.releasePlace(this.record)
    if (this.tl.callRecording && a.connected !== undefined) this.tl.recording = this.recording(a)
    const hook = this.engine.webhook(this.tl.subAccountId, 'VSS')
    if (hook) {
      const body = {namespace: 'VOICE', eventType: 'SESSION_SUMMARY', description: 'Session summary', version: 5, payload: summary}
      const delivered = await this.deliverWithRetry('VSS', hook.url, hook.authHeader, body)
      if (delivered && this.engine.duplicateNext()) await this.deliverWithRetry('VSS', hook.url, hook.authHeader, body)
    }
    await this.vru()
  }

  /**
   * The call's recording once it is over: `pushed` to the push destination when one is configured
   * (its address in externalFileUrl), else `completed` (kept by the platform).
   */
  private recording(a: LegState): Recording {
    const config = this.engine.state.sub(this.tl.subAccountId).recordingConfig
    const recordingId = `rec-${this.tl.sessionId}`
    const folder = (config?.path ?? '/').replace(/\/?$/, '/')
    return {
      recordingId, sessionid: this.tl.sessionId, subAccountId: this.tl.subAccountId,
      status: config ? 'pushed' : 'completed',
      ...(config ? {externalFileUrl: `${config.protocol.toLowerCase()}://${config.host}${config.port ? `:${config.port}` : ''}${folder.startsWith('/') ? '' : '/'}${folder}${recordingId}.mp3`} : {}),
      duration: Math.round(((a.disconnected ?? this.t) - a.connected!) / 1000),
      startRecordingTime: this.iso(a.connected),
    }
  }

  /** Voice Recording Uploaded: after the summary, when the call was recorded and a VRU webhook is registered. */
  private async vru(): Promise<void> {
    const recording = this.tl.recording
    const hook = this.engine.webhook(this.tl.subAccountId, 'VRU')
    if (!recording || !hook) return
    const body = {namespace: 'VOICE', eventType: 'RECORDING_UPLOADED', description: 'Recording uploaded', payload: {...recording, sessionId: this.tl.sessionId, timestamp: new Date(this.engine.clock()).toISOString()}}
    await this.deliverWithRetry('VRU', hook.url, hook.authHeader, body)
  }
}

/**
 * How a caller's keys fill one capture: the keys come 1 s after the prompt, then 0.5 s apart;
 * `#` ends input when completeOnHash; maxDigits ends it; otherwise the digit timeout after the
 * last key, or the overall timeout when nothing (or too little, too slowly) was pressed.
 */
export function collectDigits(keys: string, rule: {maxDigits: number; onHash: boolean; digitTimeout: number; overall: number}): {digits: string; ended: CaptureEnd; elapsed: number} {
  let digits = ''
  let elapsed = 0
  for (let i = 0; i < keys.length; i++) {
    const at = i === 0 ? TIMING.firstKey : elapsed + TIMING.betweenKeys
    // The next key comes later than digitTimeout allows after the previous one: input ended before it.
    if (i > 0 && TIMING.betweenKeys > rule.digitTimeout) {
      const end = elapsed + rule.digitTimeout
      return end >= rule.overall ? {digits, ended: 'overall-timeout', elapsed: rule.overall} : {digits, ended: 'digit-timeout', elapsed: end}
    }
    if (at > rule.overall) return {digits, ended: 'overall-timeout', elapsed: rule.overall}
    elapsed = at
    const ch = keys[i]
    if (ch === '#' && rule.onHash) return {digits, ended: 'hash', elapsed}
    digits += ch
    if (digits.length >= rule.maxDigits) return {digits, ended: 'max-digits', elapsed}
  }
  if (keys.length === 0) return {digits, ended: 'overall-timeout', elapsed: rule.overall}
  const deadline = elapsed + rule.digitTimeout
  return deadline >= rule.overall ? {digits, ended: 'overall-timeout', elapsed: rule.overall} : {digits, ended: 'digit-timeout', elapsed: deadline}
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    p.then((v) => { clearTimeout(timer); resolve(v) }, (e) => { clearTimeout(timer); reject(e) })
  })
}
