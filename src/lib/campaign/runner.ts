/**
 * `campaign run`: claims contacts from the journal and starts their calls at the pace, inside the
 * window, under the live-call limit; applies the session summaries (and the menu's steps) that the
 * caller feeds it; stops starting calls when asked, waits a bounded time for the live ones.
 *
 * Every call follows the journal's order (journal.ts): intent durable, then the POST, then its
 * answer classified as
 *   created            – sessionId: the call is live until its summary (or the live timeout)
 *   certainly not sent – refused before sending, NOT_CREATED, 4xx, 429: the contact may be sent again
 *                        (429: after Retry-After, the pace slowed), or is REJECTED when the refusal is
 *                        about the contact itself
 *   maybe created      – a timeout after sending, a reset, a 5xx: the contact becomes uncertain
 * A refusal that is about the campaign rather than the contact (the key, the caller id, no VCA
 * webhook) stops the run, with the contact given back: nobody is marked REJECTED for our mistake.
 */
import os from 'node:os'
import {randomUUID} from 'node:crypto'

import {ApiError} from '../api/errors.js'
import type {SendCallflowResponse} from '../api/types.js'
import type {CallflowRequest} from '../callflow/types.js'
import {IvrError, ExitCode} from '../errors.js'
import type {ReadSummary} from '../webhooks/parse.js'
import {readNumber} from './contacts.js'
import type {LoadedContent} from './content.js'
import type {BatchClaimResult, CampaignCounts, CampaignJournal, Claim, ClaimResult, MenuStep, SlottedClaim} from './journal.js'
import {parseClientRequestId, RETRYABLE_STATUSES, type CampaignDefinition, type RetryableStatus} from './model.js'
import {Pacer, sleepUntil} from './pacer.js'
import {windowState, zonesFor} from './window.js'

/** Sends one request: the API client's sendCallflow, or a test's. */
export type Send = (request: CallflowRequest) => Promise<SendCallflowResponse>

export type RunEvent =
  | {type: 'start'; campaign: string; runnerId: string; counts: CampaignCounts; rate: number; maxLive: number}
  | {type: 'call'; contact: number; row: number; number: string; attempt: number; clientRequestId: string; result: 'created' | 'not-created' | 'uncertain'; sessionId?: string; reason?: string; lateMs?: number}
  | {type: 'outcome'; contact: number; attempt: number; sessionId: string; status: string; retryAt?: string}
  | {type: 'window'; contact: number; number: string; opensAt?: string}
  /** window: a contact's calling window is closed; due: every contact left waits for a retry or its window. */
  | {type: 'waiting'; reason: 'window' | 'due'; until: string}
  | {type: 'rate-limited'; retryAfterMs: number; rate: number}
  | {type: 'paused'} | {type: 'resumed'}
  | {type: 'progress'; counts: CampaignCounts; rate: number; etaSeconds?: number}
  | {type: 'stopping'; reason: string; live: number}
  | {type: 'end'; reason: RunEnd; counts: CampaignCounts}

export type RunEnd = 'finished' | 'cancelled' | 'paused' | 'stopped' | 'failed'

export interface RunOptions {
  journal: CampaignJournal
  content: LoadedContent
  send: Send
  onEvent: (ev: RunEvent) => void
  /** Aborting stops the run: no new calls; live ones get `drainMs` to end. */
  signal?: AbortSignal
  /** How long to wait for live calls after a stop (default 30 s). */
  drainMs?: number
  /** Progress events this often (default 1 s). */
  progressMs?: number
  /** Stay running when paused (the default); false: a pause ends the run (tests, scripts). */
  waitWhilePaused?: boolean
  now?: () => number
}

export interface RunResult {
  reason: RunEnd
  counts: CampaignCounts
  /** The error that stopped it, when reason is failed. */
  error?: IvrError
  /** Lateness of each call's start against its slot (ms), for the bench. */
  lateness: number[]
}

/**
 * A shared pace (PostgreSQL): slots are claimed at most this long before they start, a quarter of a
 * second of calls at most in one claim, and not fewer than half that while the pace is the only limit,
 * so a runner that dies leaves few contacts claimed, and claims are few.
 */
export const SLOT_HORIZON_MS = 250
export function batchSizes(rate: number): {min: number; max: number} {
  const max = Math.max(1, Math.ceil((rate * SLOT_HORIZON_MS) / 1000))
  return {min: Math.max(1, Math.floor(max / 2)), max}
}

/** Codes of a NOT_CREATED that are about the campaign (caller id, webhook, the request's shape), not the callee. */
const CAMPAIGN_WIDE_CODES = new Set([-1004, -1013, -1014])

/** The retry policy: when a contact whose call ended with `status` is due again, after `placed` calls. */
export function retryAtFor(def: CampaignDefinition, status: string, placed: number, now: number): number | undefined {
  if (!(RETRYABLE_STATUSES as readonly string[]).includes(status)) return undefined
  const rule = def.retry[status as RetryableStatus]
  if (!rule || placed > rule.retries) return undefined
  return now + rule.delayMs
}

export class CampaignRunner {
  readonly runnerId = randomUUID()
  private readonly def: CampaignDefinition
  private readonly pacer: Pacer
  private readonly now: () => number
  /** POSTs under way (and their journal writes), by clientRequestId: a summary waits for its own. */
  private readonly dialing = new Map<string, Promise<void>>()
  /** Menu steps that came before the session was known to the journal. */
  private readonly earlySteps = new Map<string, MenuStep[]>()
  private fatal?: IvrError
  private fromIndex = 0
  private readonly lateness: number[] = []
  private wake?: () => void
  /** Slotted claims waiting for their start (a shared pace): given back if the run stops first. */
  private readonly queued = new Map<string, {claim: SlottedClaim; closesAt?: number; timer: NodeJS.Timeout}>()
  private lastWait = ''
  private readonly countryOf = new Map<string, string | undefined>()

  constructor(private readonly opts: RunOptions) {
    this.def = opts.journal.definition
    this.now = opts.now ?? (() => Date.now())
    this.pacer = new Pacer({rate: this.def.rate})
  }

  // -- fed from outside: summaries and menu steps --

  /** A session summary from the receiver (or the store): applied if it belongs to this campaign. */
  async summary(s: ReadSummary): Promise<void> {
    return this.background(this.applySummary(s))
  }

  /** Summaries and steps still being written: the run waits for them before it ends (the process may exit then). */
  private readonly pending = new Set<Promise<void>>()
  private background(p: Promise<void>): Promise<void> {
    this.pending.add(p)
    return p.finally(() => this.pending.delete(p))
  }

  private async applySummary(s: ReadSummary): Promise<void> {
    const ref = parseClientRequestId(this.def.name, s.clientRequestId)
    if (!ref || !s.sessionId || !s.sessionStatus) return
    await this.dialing.get(s.clientRequestId!)
    const callA = s.legs[0]
    const at = this.now()
    let retryAt: number | undefined
    const outcome = {
      sessionId: s.sessionId, status: s.sessionStatus,
      ...(callA?.callDuration === undefined ? {} : {durationSec: callA.callDuration}),
      legs: s.legs.length || undefined,
      ...(s.errorDetails?.errorCode === undefined ? {} : {errorCode: s.errorDetails.errorCode}),
      ...(s.endTime ? {endedAt: s.endTime} : {}),
    }
    // The call's menu steps come before its summary: those still held (its session was not yet known) go first.
    await this.flushSteps(s.sessionId)
    let applied = await this.opts.journal.recordOutcome(ref.contactId, ref.attempt, outcome, (placed) => (retryAt = retryAtFor(this.def, s.sessionStatus!, placed, at)))
    // Another runner's call whose POST answer is still being written (a shared journal): try again shortly.
    for (let i = 0; applied === 'ignored' && i < 8 && !this.dialing.has(s.clientRequestId!); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      await this.flushSteps(s.sessionId)
      applied = await this.opts.journal.recordOutcome(ref.contactId, ref.attempt, outcome, (placed) => (retryAt = retryAtFor(this.def, s.sessionStatus!, placed, at)))
    }
    await this.flushSteps(s.sessionId)
    if (applied === 'applied') {
      this.opts.onEvent({type: 'outcome', contact: ref.contactId, attempt: ref.attempt, sessionId: s.sessionId, status: s.sessionStatus, ...(retryAt ? {retryAt: new Date(retryAt).toISOString()} : {})})
      this.wake?.()
    }
  }

  /** Writes the steps held for a session, in order, while the journal knows it; what it does not know yet stays held. */
  private async flushSteps(sessionId: string): Promise<void> {
    const held = this.earlySteps.get(sessionId)
    if (!held) return
    this.earlySteps.delete(sessionId)
    for (let i = 0; i < held.length; i++) {
      if (await this.opts.journal.recordStep(sessionId, held[i])) continue
      this.earlySteps.set(sessionId, [...held.slice(i), ...(this.earlySteps.get(sessionId) ?? [])])
      return
    }
  }

  /** A call action the menu answered. */
  async step(sessionId: string | undefined, step: MenuStep): Promise<void> {
    if (!sessionId) return
    return this.background(this.applyStep(sessionId, step))
  }

  private async applyStep(sessionId: string, step: MenuStep): Promise<void> {
    if (await this.opts.journal.recordStep(sessionId, step)) return
    // Before its session is known: our own POST's answer applies it when written (below, in dial),
    // or it is another runner's call whose answer is still being written (a shared journal): try again shortly.
    const hold = () => {
      const list = this.earlySteps.get(sessionId) ?? []
      list.push(step)
      this.earlySteps.set(sessionId, list)
      if (this.earlySteps.size > 10_000) this.earlySteps.delete(this.earlySteps.keys().next().value!)
    }
    hold()
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      // Taken out before the write, so our own answer cannot apply it a second time meanwhile.
      const list = this.earlySteps.get(sessionId)
      const at = list ? list.indexOf(step) : -1
      if (at < 0) return
      list!.splice(at, 1)
      if (list!.length === 0) this.earlySteps.delete(sessionId)
      if (await this.opts.journal.recordStep(sessionId, step)) return
      hold()
    }
  }

  // -- the loop --

  async run(): Promise<RunResult> {
    const {journal, onEvent, signal} = this.opts
    await journal.join({runnerId: this.runnerId, pid: process.pid, host: os.hostname(), startedAt: new Date(this.now()).toISOString()})
    let status = await journal.status()
    if (status === 'cancelled' || status === 'finished') {
      await journal.leave(this.runnerId)
      throw new IvrError(`Campaign "${this.def.name}" is ${status}: there is nobody left to call.`, {
        code: status === 'cancelled' ? 'CAMPAIGN_CANCELLED' : 'CAMPAIGN_FINISHED', exitCode: ExitCode.USAGE,
        suggestions: [`See its outcomes with \`ivr campaign results ${this.def.name}\`; to call the same list again, create a new campaign.`],
      })
    }
    if (status !== 'running') await journal.setStatus('running')
    status = 'running'
    onEvent({type: 'start', campaign: this.def.name, runnerId: this.runnerId, counts: await journal.counts(), rate: this.def.rate, maxLive: this.def.maxLive})

    const progressMs = this.opts.progressMs ?? 1000
    let lastProgress = 0
    let lastStatus = 0
    let lastHeartbeat = 0
    let reason: RunEnd = 'stopped'
    let lastKey = ''
    try {
      for (;;) {
        if (this.fatal) {
          reason = 'failed'
          break
        }
        if (signal?.aborted) {
          reason = 'stopped'
          break
        }
        const now = this.now()
        if (now - lastHeartbeat >= 2000) {
          lastHeartbeat = now
          await journal.heartbeat(this.runnerId)
          await journal.expireLive(now - this.def.liveTimeoutMs)
        }
        if (now - lastStatus >= 250) {
          lastStatus = now
          const next = await journal.status()
          if (next !== status) {
            // Paused once the requests already sent are answered: after 'paused', no call of this run is reported.
            if (next === 'paused') {
              await Promise.allSettled([...this.dialing.values()])
              onEvent({type: 'paused'})
            }
            if (status === 'paused' && next === 'running') onEvent({type: 'resumed'})
            status = next
          }
          if (status === 'cancelled') {
            reason = 'cancelled'
            break
          }
          if (status === 'paused' && this.opts.waitWhilePaused === false) {
            reason = 'paused'
            break
          }
        }
        if (now - lastProgress >= progressMs) {
          // When something changed, and now and then while nothing does.
          const ev = await this.progress()
          const key = JSON.stringify({...ev.counts, callsLastMinute: 0})
          if (key !== lastKey || now - lastProgress >= 15_000) {
            lastKey = key
            lastProgress = now
            onEvent(ev)
          }
        }
        if (status === 'paused') {
          await this.releaseQueued()
          this.pacer.idle()
          await this.nap(250)
          continue
        }
        const due = this.pacer.dueAt()
        if (due > this.now()) await sleepUntil(due, signal)
        if (signal?.aborted) continue
        const r: ClaimResult | BatchClaimResult = journal.claimBatch
          ? await journal.claimBatch(this.runnerId, this.now(), {maxLive: this.def.maxLive, rate: this.pacer.rate, horizonMs: SLOT_HORIZON_MS, ...batchSizes(this.pacer.rate)})
          : await journal.claimNext(this.runnerId, this.now(), {maxLive: this.def.maxLive})
        if ('wait' in r) {
          this.pacer.idle()
          if (r.wait === 'pace') {
            // Nothing else frees a slot sooner: a plain sleep, not a nap every ending call would cut short.
            await sleepUntil(r.nextDueAt, signal)
          } else if (r.wait === 'none-left') {
            const counts = await journal.counts()
            if (counts.live + counts.dialing === 0 && this.dialing.size === 0 && this.queued.size === 0) {
              reason = 'finished'
              break
            }
            await this.nap(200)
          } else if (r.wait === 'due' && r.nextDueAt !== undefined) {
            const key = `due:${Math.round(r.nextDueAt / 1000)}`
            if (r.nextDueAt - this.now() > 2000 && key !== this.lastWait) {
              this.lastWait = key
              onEvent({type: 'waiting', reason: 'due', until: new Date(r.nextDueAt).toISOString()})
            }
            await this.nap(Math.min(1000, Math.max(5, r.nextDueAt - this.now())))
          } else {
            await this.nap(50)
          }
          continue
        }
        if ('claims' in r) {
          for (const claim of r.claims) await this.schedule(claim)
          continue
        }
        const claim = r.claim
        const window = await this.windowFor(claim)
        if (!window) continue
        const late = this.pacer.started()
        this.start(claim, window.closesAt, late)
      }
    } finally {
      await this.drain(reason, status)
    }
    const counts = await journal.counts()
    if (reason === 'finished') await journal.setStatus('finished')
    await journal.leave(this.runnerId)
    onEvent({type: 'end', reason, counts})
    return {reason, counts, ...(this.fatal ? {error: this.fatal} : {}), lateness: this.lateness}
  }

  /** The calling window, in the callee's time: undefined when it is closed (the claim is given back until it opens). */
  private async windowFor(claim: Claim): Promise<{closesAt?: number} | undefined> {
    if (!this.def.window) return {}
    const zones = zonesFor(claim.contact, this.country(claim.contact.number), this.def.defaultTimezone)
    const w = windowState(this.def.window, zones, this.now())
    if (w.open) return {closesAt: w.closesAt}
    const opensAt = w.opensAt ?? this.now() + 24 * 3600_000
    await this.opts.journal.release(claim, opensAt)
    const key = `window:${Math.round(opensAt / 60_000)}`
    if (key !== this.lastWait) {
      this.lastWait = key
      this.opts.onEvent({type: 'waiting', reason: 'window', until: new Date(opensAt).toISOString()})
    }
    return undefined
  }

  private start(claim: Claim, closesAt: number | undefined, late: number): void {
    this.lateness.push(late)
    const p = this.dial(claim, closesAt, late).finally(() => {
      this.dialing.delete(claim.clientRequestId)
      this.wake?.()
    })
    this.dialing.set(claim.clientRequestId, p)
  }

  /** A slotted claim's call starts at its slot; its lateness is measured against that slot. */
  private async schedule(claim: SlottedClaim): Promise<void> {
    const window = await this.windowFor(claim)
    if (!window) return
    const fire = () => {
      this.queued.delete(claim.clientRequestId)
      const now = this.now()
      // After a 429 the platform is waited for: what was claimed for the hold is given back, due when it ends.
      const hold = this.pacer.holding()
      if (this.fatal || this.opts.signal?.aborted || hold !== undefined) {
        void this.background(this.opts.journal.release(claim, Math.ceil(Math.max(now, hold ?? 0)))).catch(() => {})
        return
      }
      this.start(claim, window.closesAt, Math.max(0, now - claim.startAt))
    }
    this.queued.set(claim.clientRequestId, {claim, closesAt: window.closesAt, timer: setTimeout(fire, Math.max(0, claim.startAt - this.now()))})
  }

  /** Gives back every slotted claim not yet started (a stop, a pause): they were never sent. */
  private async releaseQueued(): Promise<void> {
    const queued = [...this.queued.values()]
    this.queued.clear()
    for (const q of queued) clearTimeout(q.timer)
    await Promise.allSettled(queued.map((q) => this.opts.journal.release(q.claim, this.now())))
  }

  private country(number: string): string | undefined {
    if (!this.countryOf.has(number)) {
      if (this.countryOf.size > 50_000) this.countryOf.clear()
      this.countryOf.set(number, readNumber(number).country)
    }
    return this.countryOf.get(number)
  }

  /** Waits up to ms, or until something happens (a call ends, a summary comes). */
  private nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const signal = this.opts.signal
      const t = setTimeout(done, ms)
      signal?.addEventListener('abort', done, {once: true})
      this.wake = done
      function done() {
        clearTimeout(t)
        signal?.removeEventListener('abort', done)
        resolve()
      }
    }).finally(() => {
      this.wake = undefined
    })
  }

  private async progress(): Promise<Extract<RunEvent, {type: 'progress'}>> {
    const counts = await this.opts.journal.counts()
    const rate = counts.callsLastMinute / 60
    const left = counts.pending + counts.dialing
    const pace = Math.min(this.pacer.rate, this.def.rate)
    return {type: 'progress', counts, rate: Math.round(rate * 100) / 100, ...(left > 0 && pace > 0 ? {etaSeconds: Math.ceil(left / pace)} : {})}
  }

  private async drain(reason: RunEnd, status: string): Promise<void> {
    const {journal, onEvent} = this.opts
    await this.releaseQueued()
    await Promise.allSettled([...this.dialing.values()])
    await Promise.allSettled([...this.pending])
    if (reason === 'finished') return
    const live = (await journal.counts()).live
    onEvent({type: 'stopping', reason: reason === 'stopped' ? 'asked to stop' : reason === 'failed' ? this.fatal?.message ?? 'failed' : status, live})
    const until = this.now() + (this.opts.drainMs ?? 30_000)
    while (this.now() < until && (await journal.counts()).live > 0) await this.napPlain(100)
  }

  private napPlain(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms))
  }

  private nextFrom(): string {
    const from = this.def.from[this.fromIndex % this.def.from.length]
    this.fromIndex++
    return from
  }

  /** One call: intent, POST, answer. Never throws: what goes wrong is journaled. */
  private async dial(claim: Claim, closesAt: number | undefined, lateMs: number): Promise<void> {
    const {journal, onEvent} = this.opts
    const at = this.now()
    const from = this.nextFrom()
    const validUntil = new Date(Math.min(at + this.def.validForMs, closesAt ?? Infinity)).toISOString()
    const base = {contact: claim.contact.id, row: claim.contact.row, number: claim.contact.number, attempt: claim.attempt, clientRequestId: claim.clientRequestId}
    let request: CallflowRequest
    try {
      request = this.opts.content.request(claim.contact, {from, clientRequestId: claim.clientRequestId, validUntil})
    } catch (error) {
      await journal.release(claim, at + 60_000)
      this.fatal ??= new IvrError(`Cannot build the request for row ${claim.contact.row}: ${(error as Error).message}`, {code: 'CAMPAIGN_CONTENT', exitCode: ExitCode.INVALID_INPUT})
      return
    }
    try {
      await journal.recordIntent(claim, {at, from, validUntil})
    } catch (error) {
      // Nothing was sent: the contact is given back only in memory; the run stops (the disk is the problem).
      await journal.release(claim, at).catch(() => {})
      this.fatal ??= new IvrError(`Cannot write the campaign journal: ${(error as Error).message}`, {code: 'JOURNAL_WRITE', exitCode: ExitCode.UNEXPECTED, cause: error})
      return
    }
    let res: SendCallflowResponse
    try {
      res = await this.opts.send(request)
    } catch (error) {
      await this.refused(claim, error, base, lateMs)
      return
    }
    if (res.sessionId && (res.sessionStatus === 'CREATED' || res.sessionStatus === undefined)) {
      await journal.recordCreated(claim, res.sessionId, this.now())
      onEvent({type: 'call', ...base, result: 'created', sessionId: res.sessionId, lateMs: Math.round(lateMs)})
      const early = this.earlySteps.get(res.sessionId)
      if (early) {
        this.earlySteps.delete(res.sessionId)
        for (const s of early) await journal.recordStep(res.sessionId, s)
      }
      return
    }
    // A 200 without a session: the platform's word is NOT_CREATED.
    const reason = `${res.sessionStatus ?? 'no session'} ${res.statusCode ?? ''} ${res.statusMessage ?? ''}`.trim()
    await journal.recordNotCreated(claim, {reason})
    onEvent({type: 'call', ...base, result: 'not-created', reason})
  }

  private async refused(claim: Claim, error: unknown, base: Omit<Extract<RunEvent, {type: 'call'}>, 'type' | 'result'>, lateMs: number): Promise<void> {
    const {journal, onEvent} = this.opts
    const e = error instanceof ApiError ? error : undefined
    const http = e?.httpStatus
    const now = this.now()
    const notCreated = async (reason: string, retryAt?: number) => {
      await journal.recordNotCreated(claim, {reason, ...(retryAt === undefined ? {} : {retryAt})})
      onEvent({type: 'call', ...base, result: 'not-created', reason, lateMs: Math.round(lateMs)})
    }
    if (http === 429) {
      const wait = e?.retryAfterMs ?? 1000
      this.pacer.limited(wait)
      onEvent({type: 'rate-limited', retryAfterMs: wait, rate: Math.round(this.pacer.rate * 100) / 100})
      await notCreated('429 too many requests', now + wait)
      return
    }
    if (http === 401 || http === 403 || http === 404) {
      await notCreated(`HTTP ${http}`, now)
      this.fatal ??= e!
      return
    }
    if (http === 400 || http === 422 || (http !== undefined && http >= 400 && http < 500)) {
      const code = e?.statusCode
      const said = [code, e?.statusMessage].filter((x) => x !== undefined).join(' ')
      if (code !== undefined && CAMPAIGN_WIDE_CODES.has(code)) {
        await notCreated(`NOT_CREATED ${said}`, now)
        this.fatal ??= new IvrError(`The platform refused the campaign's request (${said}); the run stopped, nobody was marked.`, {
          code: 'CAMPAIGN_REFUSED', exitCode: ExitCode.INVALID_INPUT,
          suggestions: code === -1014 ? ['The caller id (--from) must be one of the sub-account\'s numbers: `ivr numbers list`.'] : code === -1004 ? ['A callflow that captures digits needs a VCA webhook: run with a menu, or register one.'] : [],
        })
        return
      }
      if (code === -1015) {
        // validUntil passed before the platform took it: nothing was placed; try again.
        await notCreated(`NOT_CREATED ${said}`, now)
        return
      }
      await notCreated(`NOT_CREATED ${said || `HTTP ${http}`}`)
      return
    }
    if (e && http === undefined && e.mayHaveReachedServer === false) {
      // Never left this machine (refused connection, no DNS): the contact waits, and the run stops if it persists.
      await notCreated(e.message, now + 5000)
      this.fatal ??= e
      return
    }
    // A 5xx, a timeout after sending, a reset, anything else: it may exist.
    const reason = http !== undefined ? `HTTP ${http}` : e?.message ?? (error as Error)?.message ?? String(error)
    await journal.recordUncertain(claim, reason)
    onEvent({type: 'call', ...base, result: 'uncertain', reason, lateMs: Math.round(lateMs)})
  }
}
