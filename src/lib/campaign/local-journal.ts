/**
 * The embedded journal: one campaign, one file, `<data>/campaigns/<name>.journal`. It is an
 * append-only log of JSON lines, each durable (fdatasync'ed, grouped) before the call that wrote it
 * returns:
 *   {"t":"def",…}            the definition            {"t":"c",…}  a contact (one per line)
 *   {"t":"skip",…}           a row not called          {"t":"commit",…}  creation complete
 *   {"t":"st","s":…}         status changes            {"t":"i",…}  intent, before the POST
 *   {"t":"cr"|"nc"|"u",…}    created / not created / uncertain
 *   {"t":"o",…}              a summary's outcome       {"t":"step",…}  a menu step
 *   {"t":"ns"|"ru",…}        no summary in time / uncertain made pending again (--retry-uncertain)
 * The state in memory is a replay of the file (contacts as compact typed arrays plus each line's
 * offset, read back when claimed), so a million contacts resume in a second or two. Why a log and
 * not SQLite: docs/campaigns.md.
 *
 * One process writes at a time (the runner, or a short command while none runs), holding
 * `<file>.writer`. pause/resume/cancel while a runner holds it go through `<file>.control`, which
 * the runner reads each time it asks for the status.
 */
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {IvrError, ExitCode, invalidInput, notFound, usageError} from '../errors.js'
import {writeFileAtomic} from '../fs-atomic.js'
import {claimFile, readClaim, type ClaimInfo} from '../file-claim.js'
import {AppendLog, scanLines} from './append-log.js'
import type {
  AttemptOutcome, AttemptRecord, CampaignCounts, CampaignJournal, CampaignStore, CampaignSummary, CampaignWriter, Claim,
  ClaimResult, ContactResult, MenuStep, RunnerInfo, Settlement,
} from './journal.js'
import {clientRequestIdFor, type CampaignDefinition, type CampaignStatus, type Contact, type ContactState, type SkippedRow} from './model.js'

const S_PENDING = 0
const S_DIALING = 1
const S_LIVE = 2
const S_DONE = 3
const S_UNCERTAIN = 4
/** In memory only: handed to the runner, not yet written. */
const S_CLAIMED = 5
const STATE_NAMES: ContactState[] = ['pending', 'dialing', 'live', 'done', 'uncertain', 'pending']

const CONTACT_PREFIX = Buffer.from('{"t":"c",')
const NO_SUMMARY = 'NO_SUMMARY'

export const campaignsDir = (dataDir: string) => path.join(dataDir, 'campaigns')
export const journalFileFor = (dataDir: string, name: string) => path.join(campaignsDir(dataDir), `${name}.journal`)

// ---- the writer claim -----------------------------------------------------------------------

interface WriterInfo extends ClaimInfo {
  host: string
  since: string
}

const readWriter = (file: string) => readClaim<WriterInfo>(file)

/** Takes the writer claim (a stale one, its process gone, is taken over), or says who holds it. */
async function claimWriter(file: string): Promise<{release(): Promise<void>} | {heldBy: WriterInfo}> {
  const r = await claimFile<WriterInfo>(file, {pid: process.pid, host: os.hostname(), since: new Date().toISOString()})
  return 'claim' in r ? r.claim : r
}

const busy = (name: string, h: WriterInfo) => new IvrError(`Campaign "${name}" is being run by process ${h.pid} (since ${h.since}).`, {
  code: 'CAMPAIGN_BUSY', exitCode: ExitCode.USAGE,
  suggestions: [`Pause or cancel it with \`ivr campaign pause ${name}\` / \`cancel\`, or wait for it to finish.`],
})

// ---- a small min-heap of (dueAt, contact id) --------------------------------------------------

class DueHeap {
  private due: number[] = []
  private ids: number[] = []
  get size() {
    return this.due.length
  }
  push(dueAt: number, id: number): void {
    let i = this.due.length
    this.due.push(dueAt)
    this.ids.push(id)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (this.less(p, i)) break
      this.swap(i, p)
      i = p
    }
  }
  peek(): {dueAt: number; id: number} | undefined {
    return this.due.length === 0 ? undefined : {dueAt: this.due[0], id: this.ids[0]}
  }
  pop(): void {
    const last = this.due.length - 1
    this.swap(0, last)
    this.due.pop()
    this.ids.pop()
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < this.due.length && !this.less(m, l)) m = l
      if (r < this.due.length && !this.less(m, r)) m = r
      if (m === i) break
      this.swap(i, m)
      i = m
    }
  }
  *entries(): Iterable<{dueAt: number; id: number}> {
    for (let i = 0; i < this.due.length; i++) yield {dueAt: this.due[i], id: this.ids[i]}
  }
  private less(a: number, b: number) {
    return this.due[a] < this.due[b] || (this.due[a] === this.due[b] && this.ids[a] <= this.ids[b])
  }
  private swap(a: number, b: number) {
    ;[this.due[a], this.due[b]] = [this.due[b], this.due[a]]
    ;[this.ids[a], this.ids[b]] = [this.ids[b], this.ids[a]]
  }
}

// ---- the journal ----------------------------------------------------------------------------

// The journal's lines, as written (short keys: a million contacts make a big file). `c` is a
// contact id, `a` its attempt number, `at` epoch ms unless said otherwise.
interface DefinitionLine {t: 'def'; v: 1; def: CampaignDefinition}
interface ContactLine {t: 'c'; id: number; row: number; n: string; v: Record<string, string>; tz?: string}
interface SkipLine {t: 'skip'; row: number; n: string; reason: SkippedRow['reason']; detail: string}
/** `at` is an ISO time here. */
interface CommitLine {t: 'commit'; contacts: number; skipped: number; at: string}
interface StatusLine {t: 'st'; s: CampaignStatus; at: number}
/** Before the POST; `vu` is the callflow's validUntil. */
interface IntentLine {t: 'i'; c: number; a: number; at: number; from: string; vu: string}
interface CreatedLine {t: 'cr'; c: number; a: number; sid: string; at: number}
/** Either final (`o`, the outcome) or a retry at `retryAt`. */
interface NotCreatedLine {t: 'nc'; c: number; a: number; reason: string; o?: string; retryAt?: number}
interface UncertainLine {t: 'u'; c: number; a: number; reason: string}
/** A summary: `s` status, `d` seconds connected, `l` legs, `e` error code, `end` ISO end time. */
interface OutcomeLine {t: 'o'; c: number; a: number; sid: string; s: string; d?: number; l?: number; e?: number; end?: string; retryAt?: number}
interface StepLine {t: 'step'; c: number; a: number; node?: string; taken: string}
interface NoSummaryLine {t: 'ns'; c: number; a: number}
interface RetryUncertainLine {t: 'ru'; c: number}
interface CancelledLine {t: 'cx'; c: number}

/** Every line but a contact's (those are read back by offset, never applied). */
type Line =
  | DefinitionLine | SkipLine | CommitLine | StatusLine | IntentLine | CreatedLine | NotCreatedLine
  | UncertainLine | OutcomeLine | StepLine | NoSummaryLine | RetryUncertainLine | CancelledLine

/** The lines about one attempt of one contact. */
type AttemptLine = Extract<Line, {a: number}>
const isAttemptLine = (l: Line): l is AttemptLine => {
  const {c, a} = l as {c?: unknown; a?: unknown}
  return typeof c === 'number' && typeof a === 'number'
}

type TypedArray = Uint8Array | Uint16Array | Float64Array | Uint32Array

function grow<T extends TypedArray>(a: T, need: number): T {
  if (need <= a.length) return a
  const b = new (a.constructor as new (length: number) => T)(Math.max(need, a.length * 2))
  b.set(a)
  return b
}

export class LocalJournal implements CampaignJournal {
  readonly location: string
  definition!: CampaignDefinition

  private n = 0
  private state = new Uint8Array(1024)
  private attempts = new Uint16Array(1024)
  private placed = new Uint16Array(1024)
  private dueAt = new Float64Array(1024)
  private outcomeIdx = new Uint16Array(1024)
  private offset = new Float64Array(1024)
  private length = new Uint32Array(1024)
  private outcomes: string[] = ['']
  private outcomeIndex = new Map<string, number>()
  private heap = new DueHeap()
  private nextFresh = 1
  private liveSince = new Map<number, number>()
  private sessions = new Map<string, number>()
  private stateCounts = [0, 0, 0, 0, 0, 0]
  private byOutcome = new Map<string, number>()
  private skippedCount = 0
  private attemptCount = 0
  private createdCount = 0
  private firstCallAt?: number
  private lastCallAt?: number
  private recentCalls: number[] = []
  private committed = false
  private currentStatus: CampaignStatus = 'ready'
  private readOffset = 0
  private log?: AppendLog
  private writer?: {release(): Promise<void>}
  private runnerId?: string
  private fh?: fs.FileHandle

  private constructor(readonly name: string, readonly file: string) {
    this.location = file
  }

  /** Opens a campaign's file for reading; writing claims it on first use. */
  static async open(file: string, name: string): Promise<LocalJournal> {
    const j = new LocalJournal(name, file)
    await j.catchUp()
    if (!j.definition || !j.committed) {
      throw invalidInput(`${file} is not a complete campaign journal (its creation never finished).`, [`Create it again with \`ivr campaign create ${name} --force …\`.`], 'CAMPAIGN_INCOMPLETE')
    }
    return j
  }

  private get writerFile() {
    return `${this.file}.writer`
  }
  private get controlFile() {
    return `${this.file}.control`
  }

  /** Replays the lines written since the last read (by this process or another). */
  private async catchUp(): Promise<void> {
    this.readOffset = await scanLines(this.file, this.readOffset, (buf, start, end, offset) => {
      if (end - start > CONTACT_PREFIX.length && buf.compare(CONTACT_PREFIX, 0, CONTACT_PREFIX.length, start, start + CONTACT_PREFIX.length) === 0) {
        this.addContactSlot(offset, end - start)
        return
      }
      let line: Line
      try {
        line = JSON.parse(buf.toString('utf8', start, end))
      } catch {
        return // a line that is not JSON was never acknowledged by us; nothing to apply
      }
      this.apply(line)
    })
  }

  private addContactSlot(offset: number, length: number): void {
    const id = ++this.n
    const need = id + 1
    this.state = grow(this.state, need)
    this.attempts = grow(this.attempts, need)
    this.placed = grow(this.placed, need)
    this.dueAt = grow(this.dueAt, need)
    this.outcomeIdx = grow(this.outcomeIdx, need)
    this.offset = grow(this.offset, need)
    this.length = grow(this.length, need)
    this.offset[id] = offset
    this.length[id] = length
    this.stateCounts[S_PENDING]++
  }

  private setState(c: number, s: number): void {
    const old = this.state[c]
    if (old === S_DONE) this.bump(this.outcomes[this.outcomeIdx[c]], -1)
    this.stateCounts[old]--
    this.stateCounts[s]++
    this.state[c] = s
    if (s !== S_LIVE) this.liveSince.delete(c)
  }

  private bump(outcome: string, by: number): void {
    this.byOutcome.set(outcome, (this.byOutcome.get(outcome) ?? 0) + by)
  }

  private finish(c: number, outcome: string): void {
    this.setState(c, S_DONE)
    let idx = this.outcomeIndex.get(outcome)
    if (idx === undefined) {
      idx = this.outcomes.push(outcome) - 1
      this.outcomeIndex.set(outcome, idx)
    }
    this.outcomeIdx[c] = idx
    this.bump(outcome, 1)
  }

  private makePending(c: number, dueAt: number): void {
    this.setState(c, S_PENDING)
    this.dueAt[c] = dueAt
    this.heap.push(dueAt, c)
  }

  private validContact(c: unknown): c is number {
    return typeof c === 'number' && Number.isInteger(c) && c >= 1 && c <= this.n
  }

  /** Applies one journal line to the state in memory (replay and live writes alike). */
  private apply(l: Line): void {
    switch (l.t) {
      case 'def': {
        this.definition = l.def
        return
      }
      case 'skip': {
        this.skippedCount++
        return
      }
      case 'commit': {
        this.committed = true
        return
      }
      case 'st': {
        this.currentStatus = l.s
        return
      }
    }
    const c = l.c
    if (!this.validContact(c)) return
    switch (l.t) {
      case 'i': {
        this.setState(c, S_DIALING)
        this.attempts[c] = l.a
        this.attemptCount++
        this.firstCallAt ??= l.at
        this.lastCallAt = Math.max(this.lastCallAt ?? 0, l.at)
        this.recentCalls.push(l.at)
        if (this.recentCalls.length > 4096) this.trimRecent()
        return
      }
      case 'cr': {
        // Only from dialing: a summary that overtook the POST's answer has already settled it.
        if (this.attempts[c] !== l.a || this.state[c] !== S_DIALING) return
        this.setState(c, S_LIVE)
        this.placed[c]++
        this.createdCount++
        this.liveSince.set(c, l.at)
        this.sessions.set(l.sid, c)
        return
      }
      case 'nc': {
        if (this.attempts[c] !== l.a) return
        if (typeof l.retryAt === 'number') this.makePending(c, l.retryAt)
        else this.finish(c, l.o ?? 'REJECTED')
        return
      }
      case 'u': {
        if (this.attempts[c] === l.a) this.setState(c, S_UNCERTAIN)
        return
      }
      case 'o': {
        if (this.attempts[c] !== l.a) return
        const s = this.state[c]
        const late = s === S_DONE && this.outcomes[this.outcomeIdx[c]] === NO_SUMMARY
        if (s !== S_LIVE && s !== S_UNCERTAIN && s !== S_DIALING && !late) return
        // Uncertain (or still dialing): it was created after all.
        if (s === S_UNCERTAIN || s === S_DIALING) {
          this.placed[c]++
          this.createdCount++
        }
        if (typeof l.retryAt === 'number') this.makePending(c, l.retryAt)
        else this.finish(c, l.s)
        return
      }
      case 'ns': {
        if (this.attempts[c] === l.a && this.state[c] === S_LIVE) this.finish(c, NO_SUMMARY)
        return
      }
      case 'ru': {
        if (this.state[c] === S_UNCERTAIN) this.makePending(c, 0)
        return
      }
      case 'cx': {
        if (this.state[c] === S_PENDING) this.finish(c, 'CANCELLED')
        return
      }
    }
  }

  private trimRecent(): void {
    const from = (this.lastCallAt ?? 0) - 60_000
    let i = 0
    while (i < this.recentCalls.length && this.recentCalls[i] < from) i++
    if (i > 0) this.recentCalls.splice(0, i)
  }

  /** Writes a line durably, then applies it. Claims the file for writing first if need be. */
  private async write(line: Line): Promise<void> {
    await this.ensureWriter()
    await this.log!.append(JSON.stringify(line))
    this.apply(line)
  }

  private async ensureWriter(): Promise<void> {
    if (this.log) return
    const claimed = await claimWriter(this.writerFile)
    if ('heldBy' in claimed) throw busy(this.name, claimed.heldBy)
    this.writer = claimed
    try {
      await this.catchUp()
      this.log = (await AppendLog.open(this.file)).log
    } catch (error) {
      await claimed.release()
      this.writer = undefined
      throw error
    }
  }

  // -- status --

  async status(): Promise<CampaignStatus> {
    if (!this.log) {
      await this.catchUp()
      return this.currentStatus
    }
    // The runner: a pause, resume or cancel from another terminal waits in the control file.
    let requested: {status?: CampaignStatus} | undefined
    try {
      requested = JSON.parse(await fs.readFile(this.controlFile, 'utf8'))
    } catch {
      requested = undefined
    }
    if (requested?.status) {
      await fs.rm(this.controlFile, {force: true})
      if (requested.status !== this.currentStatus) await this.applyStatus(requested.status)
    }
    return this.currentStatus
  }

  private async applyStatus(status: CampaignStatus): Promise<void> {
    await this.write({t: 'st', s: status, at: Date.now()})
    if (status === 'cancelled') {
      // Contacts never called are done: CANCELLED (a retry waiting too). Calls under way finish.
      const lines: Line[] = []
      for (let c = 1; c <= this.n; c++) if (this.state[c] === S_PENDING) lines.push({t: 'cx', c})
      for (const l of lines) this.apply(l)
      if (lines.length > 0) await this.log!.append(lines.map((l) => JSON.stringify(l)).join('\n'))
    }
  }

  async setStatus(status: CampaignStatus): Promise<void> {
    if (!this.log) {
      // Held, and not by this handle: the runner picks the request up from the control file.
      if (await readWriter(this.writerFile)) {
        await writeFileAtomic(this.controlFile, JSON.stringify({status, at: new Date().toISOString(), pid: process.pid}), {mode: 0o600})
        return
      }
    }
    await this.ensureWriter()
    if (status !== this.currentStatus) await this.applyStatus(status)
  }

  /** Whether a runner (another live process) holds the campaign now. */
  async runningElsewhere(): Promise<WriterInfo | undefined> {
    return this.log ? undefined : readWriter(this.writerFile)
  }

  // -- runners --

  async join(runner: RunnerInfo): Promise<void> {
    await this.ensureWriter()
    this.runnerId = runner.runnerId
    await fs.rm(this.controlFile, {force: true})
    // A previous runner stopped between an intent and its answer: those calls may exist.
    const lines: Line[] = []
    for (let c = 1; c <= this.n; c++) {
      if (this.state[c] === S_DIALING) lines.push({t: 'u', c, a: this.attempts[c], reason: 'the run stopped between the intent and the answer to its request'})
    }
    for (const l of lines) await this.write(l)
  }

  async heartbeat(_runnerId: string): Promise<{runners: number}> {
    return {runners: 1}
  }

  async leave(runnerId: string): Promise<void> {
    if (this.runnerId === runnerId) this.runnerId = undefined
  }

  // -- calling --

  private liveCount(): number {
    return this.stateCounts[S_DIALING] + this.stateCounts[S_LIVE] + this.stateCounts[S_CLAIMED]
  }

  async claimNext(runnerId: string, now: number, limits: {maxLive: number}): Promise<ClaimResult> {
    await this.ensureWriter()
    if (this.liveCount() >= limits.maxLive) return {wait: 'live-limit'}
    let c: number | undefined
    // Retries and deferred contacts whose time has come, first.
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (this.state[top.id] !== S_PENDING || this.dueAt[top.id] !== top.dueAt) {
        this.heap.pop() // stale entry
        continue
      }
      if (top.dueAt <= now) {
        this.heap.pop()
        c = top.id
      }
      break
    }
    if (c === undefined) {
      while (this.nextFresh <= this.n && (this.state[this.nextFresh] !== S_PENDING || this.dueAt[this.nextFresh] !== 0 || this.attempts[this.nextFresh] !== 0)) this.nextFresh++
      if (this.nextFresh <= this.n) c = this.nextFresh++
    }
    if (c === undefined) {
      const next = this.heap.peek()
      if (next) return {wait: 'due', nextDueAt: next.dueAt}
      return {wait: 'none-left'}
    }
    this.setState(c, S_CLAIMED)
    const contact = await this.readContact(c)
    const attempt = this.attempts[c] + 1
    return {claim: {contact, attempt, placed: this.placed[c], clientRequestId: clientRequestIdFor(this.name, c, attempt), runnerId}}
  }

  /** Contact lines read ahead in one read: claims mostly go in contact order. */
  private ahead?: {first: number; last: number; from: number; buf: Buffer}

  private async readContact(c: number): Promise<Contact> {
    let a = this.ahead
    if (!a || c < a.first || c > a.last) {
      this.fh ??= await fs.open(this.file, 'r')
      const last = Math.min(this.n, c + 511)
      const from = this.offset[c]
      const buf = Buffer.allocUnsafe(this.offset[last] + this.length[last] - from)
      await this.fh.read(buf, 0, buf.length, from)
      a = this.ahead = {first: c, last, from, buf}
    }
    const at = this.offset[c] - a.from
    return contactOf(JSON.parse(a.buf.toString('utf8', at, at + this.length[c])))
  }

  async release(claim: Claim, dueAt: number): Promise<void> {
    const c = claim.contact.id
    if (this.state[c] === S_CLAIMED) this.makePending(c, Math.max(dueAt, 1))
  }

  async recordIntent(claim: Claim, intent: {at: number; from: string; validUntil: string}): Promise<void> {
    await this.write({t: 'i', c: claim.contact.id, a: claim.attempt, at: intent.at, from: intent.from, vu: intent.validUntil})
  }

  async recordCreated(claim: Claim, sessionId: string, at: number): Promise<void> {
    await this.write({t: 'cr', c: claim.contact.id, a: claim.attempt, sid: sessionId, at})
  }

  async recordNotCreated(claim: Claim, info: {reason: string; retryAt?: number; outcome?: string}): Promise<void> {
    await this.write({t: 'nc', c: claim.contact.id, a: claim.attempt, reason: info.reason, ...(info.retryAt === undefined ? {o: info.outcome ?? 'REJECTED'} : {retryAt: info.retryAt})})
  }

  async recordUncertain(claim: Claim, reason: string): Promise<void> {
    await this.write({t: 'u', c: claim.contact.id, a: claim.attempt, reason})
  }

  async recordOutcome(contactId: number, attempt: number, o: AttemptOutcome, retryAt: (placed: number) => number | undefined): Promise<'applied' | 'ignored'> {
    await this.ensureWriter()
    if (!this.validContact(contactId) || this.attempts[contactId] !== attempt) return 'ignored'
    const s = this.state[contactId]
    const late = s === S_DONE && this.outcomes[this.outcomeIdx[contactId]] === NO_SUMMARY
    if (s !== S_LIVE && s !== S_DIALING && s !== S_UNCERTAIN && !late) return 'ignored'
    // A late summary (after NO_SUMMARY) settles the contact; it does not start retries.
    const placed = this.placed[contactId] + (s === S_LIVE || late ? 0 : 1)
    await this.write(outcomeLine(contactId, attempt, o, late ? undefined : retryAt(placed)))
    return 'applied'
  }

  async recordStep(sessionId: string, step: MenuStep): Promise<boolean> {
    const c = this.sessions.get(sessionId)
    if (c === undefined) return false
    await this.write({t: 'step', c, a: this.attempts[c], ...(step.node ? {node: step.node} : {}), taken: step.taken})
    return true
  }

  async expireLive(createdBefore: number): Promise<number> {
    const expired = [...this.liveSince].filter(([, at]) => at < createdBefore)
    for (const [c] of expired) await this.write({t: 'ns', c, a: this.attempts[c]})
    return expired.length
  }

  // -- uncertain --

  async uncertain(): Promise<Array<{contactId: number; attempt: number; clientRequestId: string; number: string; outcome: string}>> {
    const out = []
    for (let c = 1; c <= this.n; c++) {
      const unsettled = this.state[c] === S_UNCERTAIN || (this.state[c] === S_DONE && this.outcomes[this.outcomeIdx[c]] === NO_SUMMARY)
      if (!unsettled) continue
      const contact = await this.readContact(c)
      out.push({contactId: c, attempt: this.attempts[c], clientRequestId: clientRequestIdFor(this.name, c, this.attempts[c]), number: contact.number, outcome: this.state[c] === S_UNCERTAIN ? 'UNCERTAIN' : NO_SUMMARY})
    }
    return out
  }

  async settle(s: Settlement): Promise<boolean> {
    return (await this.recordOutcome(s.contactId, s.attempt, s.outcome, () => undefined)) === 'applied'
  }

  async retryUncertain(): Promise<number> {
    let count = 0
    for (let c = 1; c <= this.n; c++) {
      if (this.state[c] !== S_UNCERTAIN) continue
      await this.write({t: 'ru', c})
      count++
    }
    return count
  }

  // -- reading --

  async counts(now = Date.now()): Promise<CampaignCounts> {
    if (!this.log) await this.catchUp()
    let waiting = 0
    for (const e of this.heap.entries()) if (this.state[e.id] === S_PENDING && this.dueAt[e.id] === e.dueAt && e.dueAt > now) waiting++
    this.trimRecent()
    return {
      total: this.n,
      pending: this.stateCounts[S_PENDING] + this.stateCounts[S_CLAIMED],
      waiting,
      dialing: this.stateCounts[S_DIALING],
      live: this.stateCounts[S_LIVE],
      done: this.stateCounts[S_DONE],
      uncertain: this.stateCounts[S_UNCERTAIN],
      skipped: this.skippedCount,
      byOutcome: Object.fromEntries([...this.byOutcome].filter(([, v]) => v > 0).sort()),
      attempts: this.attemptCount,
      created: this.createdCount,
      firstCallAt: this.firstCallAt,
      lastCallAt: this.lastCallAt,
      callsLastMinute: this.recentCalls.length,
    }
  }

  async *results(): AsyncIterable<ContactResult> {
    if (!this.log) await this.catchUp()
    // Attempts first (they follow the contacts in the file), then the contacts in order.
    const attempts = new Map<number, AttemptRecord[]>()
    await scanLines(this.file, 0, (buf, start, stop) => {
      if (buf.compare(CONTACT_PREFIX, 0, CONTACT_PREFIX.length, start, start + CONTACT_PREFIX.length) === 0) return
      let l: Line
      try {
        l = JSON.parse(buf.toString('utf8', start, stop))
      } catch {
        return
      }
      if (!isAttemptLine(l)) return
      let list = attempts.get(l.c)
      if (!list) attempts.set(l.c, (list = []))
      if (l.t === 'i') {
        list.push({attempt: l.a, clientRequestId: clientRequestIdFor(this.name, l.c, l.a), from: l.from, at: l.at, result: 'sending', steps: []})
        return
      }
      const rec = list.find((r) => r.attempt === l.a)
      if (!rec) return
      if (l.t === 'cr') Object.assign(rec, {result: 'created', sessionId: l.sid})
      else if (l.t === 'nc') Object.assign(rec, {result: 'not-created', reason: l.reason})
      else if (l.t === 'u') Object.assign(rec, {result: 'uncertain', reason: l.reason})
      else if (l.t === 'o') Object.assign(rec, {...(rec.result === 'created' ? {} : {result: 'created'}), sessionId: l.sid, status: l.s, durationSec: l.d, legs: l.l})
      else if (l.t === 'ns') Object.assign(rec, {status: NO_SUMMARY})
      else if (l.t === 'step') rec.steps.push({...(l.node ? {node: l.node} : {}), taken: l.taken})
    })
    // The contacts, read back in batches of consecutive lines.
    for (let first = 1; first <= this.n; first += 1000) {
      const last = Math.min(this.n, first + 999)
      const from = this.offset[first]
      const buf = Buffer.allocUnsafe(this.offset[last] + this.length[last] - from)
      this.fh ??= await fs.open(this.file, 'r')
      await this.fh.read(buf, 0, buf.length, from)
      for (let c = first; c <= last; c++) {
        const at = this.offset[c] - from
        const contact = contactOf(JSON.parse(buf.toString('utf8', at, at + this.length[c])))
        const st = this.state[c]
        const outcome = st === S_DONE ? this.outcomes[this.outcomeIdx[c]] : st === S_UNCERTAIN ? 'UNCERTAIN' : st === S_LIVE || st === S_DIALING ? 'LIVE' : 'PENDING'
        yield {contact, state: STATE_NAMES[st], outcome, attempts: attempts.get(c) ?? [], ...(st === S_PENDING && this.dueAt[c] > 0 ? {dueAt: this.dueAt[c]} : {})}
      }
    }
  }

  async *skipped(): AsyncIterable<SkippedRow> {
    const rows: SkippedRow[] = []
    await scanLines(this.file, 0, (buf, start, end) => {
      if (buf[start + 6] !== 115 /* s */) return
      const text = buf.toString('utf8', start, end)
      if (!text.startsWith('{"t":"skip",')) return
      const l: SkipLine = JSON.parse(text)
      rows.push({row: l.row, number: l.n, reason: l.reason, detail: l.detail})
    })
    yield* rows
  }

  async close(): Promise<void> {
    await this.log?.close()
    this.log = undefined
    await this.fh?.close()
    this.fh = undefined
    await this.writer?.release()
    this.writer = undefined
  }
}

const contactOf = (l: ContactLine): Contact => ({id: l.id, row: l.row, number: l.n, vars: l.v ?? {}, ...(l.tz ? {timezone: l.tz} : {})})

function outcomeLine(c: number, a: number, o: AttemptOutcome, retryAt: number | undefined): OutcomeLine {
  return {
    t: 'o', c, a, sid: o.sessionId, s: o.status,
    ...(o.durationSec === undefined ? {} : {d: o.durationSec}),
    ...(o.legs === undefined ? {} : {l: o.legs}),
    ...(o.errorCode === undefined ? {} : {e: o.errorCode}),
    ...(o.endedAt === undefined ? {} : {end: o.endedAt}),
    ...(retryAt === undefined ? {} : {retryAt}),
  }
}

// ---- the store: campaigns in the data folder --------------------------------------------------

export class LocalCampaignStore implements CampaignStore {
  readonly location: string

  constructor(private readonly dataDir: string) {
    this.location = campaignsDir(dataDir)
  }

  private fileFor(name: string) {
    return journalFileFor(this.dataDir, name)
  }

  async exists(name: string): Promise<boolean> {
    return fs.stat(this.fileFor(name)).then(() => true, () => false)
  }

  async create(definition: CampaignDefinition, opts: {replace?: boolean} = {}): Promise<CampaignWriter> {
    const file = this.fileFor(definition.name)
    if (await this.exists(definition.name)) {
      if (!opts.replace) {
        throw usageError(`A campaign named "${definition.name}" exists.`, [
          `Pick another name, see it with \`ivr campaign status ${definition.name}\`, or add --force to replace it (only if it has dialed nobody).`,
        ])
      }
      const old = await LocalJournal.open(file, definition.name).catch(() => undefined)
      if (old) {
        try {
          const running = await old.runningElsewhere()
          if (running) throw busy(definition.name, running)
          const counts = await old.counts()
          if (counts.attempts > 0) {
            throw usageError(`Campaign "${definition.name}" has already dialed ${counts.attempts} call${counts.attempts === 1 ? '' : 's'}; --force replaces only a campaign that dialed nobody.`, [
              'Give the new campaign another name; the results of this one stay readable.',
            ])
          }
        } finally {
          await old.close()
        }
      }
    }
    await fs.mkdir(path.dirname(file), {recursive: true, mode: 0o700})
    const tmp = path.join(path.dirname(file), `.${definition.name}.${process.pid}.creating`)
    const fh = await fs.open(tmp, 'w', 0o600)
    let chunks: string[] = []
    let size = 0
    let contacts = 0
    let skipped = 0
    const put = async (line: Line | ContactLine) => {
      const text = JSON.stringify(line)
      chunks.push(text, '\n')
      size += text.length + 1
      if (size >= 1 << 20) await drain()
    }
    const drain = async () => {
      if (chunks.length === 0) return
      const buf = Buffer.from(chunks.join(''))
      chunks = []
      size = 0
      let off = 0
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten
    }
    await put({t: 'def', v: 1, def: definition})
    let closed = false
    const closeTmp = async () => {
      if (closed) return
      closed = true
      await fh.close()
    }
    return {
      async addContact(c: Omit<Contact, 'id'>): Promise<number> {
        const id = ++contacts
        await put({t: 'c', id, row: c.row, n: c.number, v: c.vars, ...(c.timezone ? {tz: c.timezone} : {})})
        return id
      },
      async addSkipped(r: SkippedRow): Promise<void> {
        skipped++
        await put({t: 'skip', row: r.row, n: r.number, reason: r.reason, detail: r.detail})
      },
      async commit(): Promise<void> {
        await put({t: 'commit', contacts, skipped, at: new Date().toISOString()})
        await drain()
        await fh.sync()
        await closeTmp()
        await fs.rename(tmp, file)
        const dir = await fs.open(path.dirname(file), 'r')
        await dir.sync().catch(() => {})
        await dir.close()
      },
      async abort(): Promise<void> {
        await closeTmp()
        await fs.rm(tmp, {force: true})
      },
    }
  }

  async open(name: string): Promise<LocalJournal> {
    if (!(await this.exists(name))) {
      const names = (await this.names()).slice(0, 10)
      throw notFound(`No campaign named "${name}" in ${this.location}.`, [
        names.length > 0 ? `Campaigns here: ${names.join(', ')}.` : 'Create one with `ivr campaign create NAME --contacts FILE …`.',
      ], 'CAMPAIGN_NOT_FOUND')
    }
    return LocalJournal.open(this.fileFor(name), name)
  }

  private async names(): Promise<string[]> {
    const files = await fs.readdir(this.location).catch(() => [] as string[])
    return files.filter((f) => f.endsWith('.journal') && !f.startsWith('.')).map((f) => f.slice(0, -'.journal'.length)).sort()
  }

  async list(): Promise<CampaignSummary[]> {
    const out: CampaignSummary[] = []
    for (const name of await this.names()) {
      const j = await LocalJournal.open(this.fileFor(name), name).catch(() => undefined)
      if (!j) continue
      try {
        out.push({name, status: await j.status(), location: j.location, createdAt: j.definition.createdAt, counts: await j.counts()})
      } finally {
        await j.close()
      }
    }
    return out
  }

  async close(): Promise<void> {}
}
