/** One session played out on the virtual clock: its legs, actions, captures, webhooks and summary. */
import {randomUUID} from 'node:crypto'

import {parsePhoneNumberFromString} from 'libphonenumber-js'

import type {Recording} from '../api/types.js'
import {ACTIONS, unhandledAction} from '../callflow/actions.js'
import type {Action, CallflowRequest, SayAndCaptureParams} from '../callflow/types.js'
import {platformRejection, validateCallflow} from '../callflow/validate.js'
import {lookupCode} from '../codes.js'
import type {CallEventPayload, CallLeg, LastAction, SessionSummaryPayload, WebhookEnvelope} from '../webhooks/payloads.js'
import {normalizeNumber, type Outcome} from './magic.js'
import type {PlayFileChecker} from './media.js'
import {PROFILE_CODES} from './profiles.js'
import type {SandboxState} from './state.js'
import {type WebhookKind, type DeliveryRequest, type DeliveryResponse, type TimelineEvent, type EventInput, type Timeline, type EngineOptions, CAPTURE_RUNTIME_DEFAULTS, TIMING} from './types.js'
import {collectDigits, LiveInput, ScriptedInput, type InputSource} from './input.js'

/** What a Run needs of the engine that started it. */
export interface RunHost {
  readonly state: SandboxState
  readonly files: PlayFileChecker
  /** The sub-account's registered webhook of a type, if enabled. */
  webhook(subAccountId: string, type: WebhookKind): {url: string; authHeader?: string} | undefined
  /** The real time now (ms), as the engine's clock reads it. */
  clock(): number
  send(req: DeliveryRequest): Promise<DeliveryResponse>
  duplicateNext(): boolean
  outcomeFor(subAccountId: string, destination: string, override?: Outcome): Outcome
  releasePlace(record: SessionRecord): void
}

export interface LegState {
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

export interface SessionRecord {
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

/** One session being played out. */
export class Run {
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

  constructor(private readonly engine: RunHost, private readonly record: SessionRecord, private readonly opts: EngineOptions) {
    this.t = Date.parse(record.timeline.startedAt)
  }

  /** An outbound session: the first makeCall dials leg A, then the rest of the callflow. */
  async outbound(request: CallflowRequest, override?: Outcome): Promise<void> {
    const [first, ...rest] = request.callflow as Action[]
    const mc = (first as Extract<Action, {action: 'makeCall'}>).params
    const sourceNumber = this.engine.state.findNumber(this.tl.subAccountId, mc.source)
    this.lastAction = 'MAKE_CALL'
    const ok = await this.dial('A', 'OUTBOUND', mc.source, mc.destination, sourceNumber?.referenceId ?? null, null, override)
    if (!ok) return this.finish()
    await this.actions(rest)
    await this.finish()
  }

  /** An inbound session: the call rings, the VCA webhook answers with the callflow to play. */
  async inbound(referenceId: string): Promise<void> {
    const t = this.tl
    this.legA = {name: 'A', callId: randomUUID(), direction: 'INBOUND', source: t.source, destination: t.destination, sourceRefId: null, destinationRefId: referenceId, initiated: this.t, status: 'RINGING'}
    // Inbound: `number` is the caller, `to` the virtual number called.
    this.event({kind: 'call', leg: 'A', status: 'initiated', number: t.source, to: t.destination})
    await this.vcs('A', 'CALL_RECEIVED')
    const answer = await this.vca('CALL_RECEIVED', undefined)
    if (!answer) return this.finish()
    // The call is answered when the platform has something to play.
    this.legA.connected = this.t
    this.legA.status = 'ANSWERED'
    this.legA.sipCode = 200
    this.event({kind: 'call', leg: 'A', status: 'answered', number: t.destination, sipCode: 200})
    await this.vcs('A', 'ANSWERED')
    await this.actions(answer)
    await this.finish()
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

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    p.then((v) => { clearTimeout(timer); resolve(v) }, (e) => { clearTimeout(timer); reject(e) })
  })
}
