/**
 * The campaign journal: the one durable record of a campaign, and the only thing that decides who
 * is called next. Two implementations: the local file under the data folder (local-journal.ts, the
 * default) and PostgreSQL (`--db postgres://…`), where several runners share one campaign.
 *
 * The never-twice rule rests on the order of these calls, made by the runner for every call:
 *   claimNext      → a contact is this runner's (nothing written yet: a crash here loses nothing)
 *   recordIntent   → durable BEFORE the POST: "attempt n of contact c is being sent"
 *   (the POST)
 *   recordCreated | recordNotCreated | recordUncertain   → durable after the answer (or the lack of one)
 *   recordOutcome  → from the session summary: final, or a retry the policy asked for
 * A contact whose intent is durable and whose answer is not (a runner killed mid-POST) becomes
 * `uncertain` when the journal is next opened for running (local) or its runner's lease expires
 * (PostgreSQL), and is never dialed again on its own: `campaign reconcile` settles it from the
 * summaries, `--retry-uncertain` dials it again on the user's say-so.
 */
import type {CampaignDefinition, CampaignStatus, Contact, ContactState, Outcome, SkippedRow} from './model.js'

/** A contact handed to one runner to call now: attempt is the number this POST will carry. */
export interface Claim {
  contact: Contact
  /** 1-based count of POSTs for this contact, this one included. */
  attempt: number
  /** Calls the platform created for this contact before this one (what the retry policy counts). */
  placed: number
  /** campaign/contact/attempt. */
  clientRequestId: string
  runnerId: string
}

export type ClaimResult =
  | {claim: Claim}
  /** Nothing to call now: `nextDueAt` (epoch ms) when a contact falls due, if any is waiting. */
  | {wait: 'live-limit' | 'due'; nextDueAt?: number}
  /** Every contact is done, uncertain or live: nothing will ever be claimable without a summary or a reconcile. */
  | {wait: 'none-left'}

/** A claim with its place in a pace shared by several runners: when its call is to start. */
export interface SlottedClaim extends Claim {
  /** Epoch ms, this process's clock. */
  startAt: number
}

export interface BatchClaimOptions {
  maxLive: number
  /** Calls per second for the whole campaign (slowed after a 429): the slots' spacing. */
  rate: number
  /** At most this many contacts; fewer than `min` slots free and the answer is to wait (the live limit permitting). */
  min: number
  max: number
  /** Slots are handed out at most this long (ms) before they start. */
  horizonMs: number
}

export type BatchClaimResult =
  | {claims: SlottedClaim[]}
  | Exclude<ClaimResult, {claim: Claim}>
  /** The shared pace has no slots free before `nextDueAt` (epoch ms): only time frees them. */
  | {wait: 'pace'; nextDueAt: number}

/** What a session summary said about one attempt. */
export interface AttemptOutcome {
  sessionId: string
  /** COMPLETED, BUSY, NO_ANSWER, FAILED, ERROR… as the summary says. */
  status: string
  /** Seconds connected (callA). */
  durationSec?: number
  /** Legs in the session (2 with a transfer). */
  legs?: number
  errorCode?: number
  endedAt?: string
}

/** One call action the menu answered for a live call: where the callee went. */
export interface MenuStep {
  /** The node the callee was in. */
  node?: string
  /** The digits pressed, or `invalid`, `no input`… (the menu server's `taken`). */
  taken: string
}

export interface RunnerInfo {
  runnerId: string
  pid: number
  host: string
  startedAt: string
}

export interface CampaignCounts {
  total: number
  /** Not yet called, or waiting for a retry or the window (waiting is the part with a later due time). */
  pending: number
  waiting: number
  dialing: number
  live: number
  done: number
  uncertain: number
  skipped: number
  /** Done contacts by final outcome. */
  byOutcome: Record<Outcome, number>
  /** POSTs made (attempts), and calls the platform created. */
  attempts: number
  created: number
  /** Epoch ms of the first and the latest POST. */
  firstCallAt?: number
  lastCallAt?: number
  /** POSTs in the 60 s before `lastCallAt` (the achieved rate's basis). */
  callsLastMinute: number
}

export interface AttemptRecord {
  attempt: number
  clientRequestId: string
  from?: string
  /** Epoch ms the intent was written (the POST followed at once). */
  at: number
  /** created / not-created / uncertain, then the summary's status once it came. */
  result: 'sending' | 'created' | 'not-created' | 'uncertain'
  sessionId?: string
  status?: string
  durationSec?: number
  legs?: number
  reason?: string
  /** The menu's path for this call, in order. */
  steps: MenuStep[]
}

/** One row of `campaign results`: a contact and everything that happened to it. */
export interface ContactResult {
  contact: Contact
  state: ContactState
  /** Final outcome when state is done; UNCERTAIN / PENDING / LIVE otherwise. */
  outcome: Outcome
  attempts: AttemptRecord[]
  /** When the next attempt is due, for a waiting contact (epoch ms). */
  dueAt?: number
}

export interface CampaignSummary {
  name: string
  status: CampaignStatus
  location: string
  createdAt: string
  counts: CampaignCounts
}

/** Settling an uncertain (or NO_SUMMARY) contact from a summary found elsewhere. */
export interface Settlement {
  contactId: number
  attempt: number
  outcome: AttemptOutcome
}

export interface CampaignJournal {
  readonly name: string
  /** Where it lives: a file path, or a database URL without its password. */
  readonly location: string
  readonly definition: CampaignDefinition

  /** Current state (read fresh: another process may have paused or cancelled it). */
  status(): Promise<CampaignStatus>
  /** pause/resume/cancel from any process; `finished` by the runner when nothing is left. */
  setStatus(status: CampaignStatus): Promise<void>

  /**
   * Registers a runner. Local: the only one (a second gets an error naming the first). PostgreSQL:
   * one of several, each holding a lease it renews with heartbeat(); a runner whose lease expired
   * has its dialing contacts made uncertain.
   */
  join(runner: RunnerInfo): Promise<void>
  /** Renews this runner's lease; returns how many runners share the campaign (for the rate share). */
  heartbeat(runnerId: string): Promise<{runners: number}>
  leave(runnerId: string): Promise<void>

  /**
   * The next contact due at `now` for this runner, unless `maxLive` calls (dialing + live, every
   * runner's) are under way. Nothing is written: a claim not followed by recordIntent is released
   * by release() or, after a crash, simply forgotten.
   */
  claimNext(runnerId: string, now: number, limits: {maxLive: number}): Promise<ClaimResult>
  /**
   * Several runners (PostgreSQL): up to `max` contacts at once, each with its slot in the campaign's
   * shared pace. The runner starts each call at its slot, and gives back (release) what it did not start.
   */
  claimBatch?(runnerId: string, now: number, opts: BatchClaimOptions): Promise<BatchClaimResult>
  /** Gives a claim back unsent, due again at `dueAt` (window closed, a stop requested). */
  release(claim: Claim, dueAt: number): Promise<void>

  /** Durable before the POST. */
  recordIntent(claim: Claim, intent: {at: number; from: string; validUntil: string}): Promise<void>
  recordCreated(claim: Claim, sessionId: string, at: number): Promise<void>
  /**
   * Certainly not created. With `retryAt` the same contact may be sent again then (429, a refusal
   * before sending); without it the contact is done with `outcome` (REJECTED, EXPIRED…).
   */
  recordNotCreated(claim: Claim, info: {reason: string; retryAt?: number; outcome?: Outcome}): Promise<void>
  /** Maybe created (timeout after sending, reset, 5xx): never dialed again on its own. */
  recordUncertain(claim: Claim, reason: string): Promise<void>

  /**
   * A summary for attempt `attempt` of contact `contactId` (from its clientRequestId). `retryAt` is
   * asked with the number of calls the platform created for the contact, this one included (what the
   * retry policy counts): a time makes the contact due again then, undefined makes the status final.
   * 'ignored' when it is not the contact's current attempt or was already applied (summaries may
   * arrive twice).
   */
  recordOutcome(contactId: number, attempt: number, outcome: AttemptOutcome, retryAt: (placed: number) => number | undefined): Promise<'applied' | 'ignored'>
  /** A menu step of a live call, found by its session id; false when no contact has that session. */
  recordStep(sessionId: string, step: MenuStep): Promise<boolean>
  /** Live calls created before `createdBefore` (epoch ms) and still without a summary become NO_SUMMARY. */
  expireLive(createdBefore: number): Promise<number>

  /** Uncertain contacts, for reconcile: each with its last attempt's clientRequestId. */
  uncertain(): Promise<Array<{contactId: number; attempt: number; clientRequestId: string; number: string; outcome: Outcome}>>
  /** Applies a summary found for an uncertain or NO_SUMMARY attempt: the contact is done with it. */
  settle(s: Settlement): Promise<boolean>
  /** `--retry-uncertain`: every uncertain contact is pending again (its next POST carries a new attempt number). */
  retryUncertain(): Promise<number>

  counts(now?: number): Promise<CampaignCounts>
  /** Every contact, in contact order, with its attempts; then nothing else. Streamed. */
  results(): AsyncIterable<ContactResult>
  skipped(): AsyncIterable<SkippedRow>
  close(): Promise<void>
}

/** What `campaign create` hands a journal store: the definition, then contacts and skipped rows, streamed. */
export interface CampaignWriter {
  addContact(contact: Omit<Contact, 'id'>): Promise<number>
  addSkipped(row: SkippedRow): Promise<void>
  /** Makes the campaign exist (until then, a crash leaves nothing behind). */
  commit(): Promise<void>
  /** Removes what was written (a check failed). */
  abort(): Promise<void>
}

/** Where campaigns live: the local data folder, or a PostgreSQL database. */
export interface CampaignStore {
  readonly location: string
  /** Starts a new campaign; refuses a name that exists unless `replace` (allowed only if nobody was dialed). */
  create(definition: CampaignDefinition, opts: {replace?: boolean}): Promise<CampaignWriter>
  open(name: string): Promise<CampaignJournal>
  exists(name: string): Promise<boolean>
  list(): Promise<CampaignSummary[]>
  close(): Promise<void>
}
