/**
 * The call engine: the sessions of a sandbox, each played out by a Run (run.ts) on a virtual clock. By default a session runs as
 * fast as the machine allows while its timestamps read like a real call; `realtime` paces it.
 * It knows nothing of HTTP routes: webhooks go out through a Deliver function (real HTTP by
 * default), so `ivr menu test` can drive a menu served in-process.
 *
 * Its parts: types.ts (public types, options, timings), delivery.ts (webhooks over HTTP),
 * input.ts (key presses, scripted or live), run.ts (one session).
 */
import {randomUUID} from 'node:crypto'

import {isE164Shape} from '../callflow/phone.js'
import type {Action, CallflowRequest} from '../callflow/types.js'
import {platformRejection, validateCallflow} from '../callflow/validate.js'
import {lookupCode} from '../codes.js'
import type {SessionSummaryPayload} from '../webhooks/payloads.js'
import {isOutcome, magicFor, type Outcome} from './magic.js'
import {checkLimits, RateLimiter} from './limits.js'
import {PlayFileChecker} from './media.js'
import {checkPopulation, PopulationDraw} from './population.js'
import {PROFILE_CODES} from './profiles.js'
import {DEFAULT_SUBACCOUNT, DEFAULT_NUMBERS, SandboxState} from './state.js'
import {type WebhookKind, type DeliveryRequest, type DeliveryResponse, type Deliver, type Timeline, type SessionListItem, type EngineOptions, SandboxError, type SubmitResult} from './types.js'
import {LiveInput, ScriptedInput, checkPresses, parsePresses} from './input.js'
import {httpDeliver} from './delivery.js'
import {Run, type SessionRecord} from './run.js'

// The engine's types and parts, for its callers (one import: ./engine.js).
export * from './types.js'
export {httpDeliver} from './delivery.js'
export {checkPresses, collectDigits, parsePresses} from './input.js'

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
    void this.run(record, () => new Run(this, record, this.opts).outbound(request, full ? 'trunk-capacity' : opts.outcome))
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
    if (!isE164Shape(input.from.trim())) throw new SandboxError(`${input.from} is not a phone number in E.164 form`, 400)
    const presses = input.presses === undefined ? undefined : parsePresses(input.presses)
    const bad = presses && checkPresses(presses)
    if (bad) throw new SandboxError(bad, 400)
    const sessionId = randomUUID()
    const record = this.createRecord({sessionId, subAccountId, direction: 'INBOUND', source: input.from, destination: number.msisdn, interactive: input.interactive, presses})
    this.takePlace(record)
    void this.run(record, () => new Run(this, record, this.opts).inbound(number.referenceId))
    return sessionId
  }

  /** Keys typed by the person on an interactive session. */
  sendDigits(sessionId: string, keys: string): void {
    const r = this.sessions.get(sessionId)
    if (!r) throw new SandboxError(`no session ${sessionId}`, 404)
    if (!(r.input instanceof LiveInput)) throw new SandboxError(`session ${sessionId} is not interactive`, 409)
    const bad = checkPresses([keys])
    if (bad) throw new SandboxError(bad, 400)
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
