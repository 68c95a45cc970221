/**
 * The campaign journal in PostgreSQL (`--db postgres://…`): the same contract as the local file, and
 * several `campaign run` processes, on any machines, sharing one campaign.
 *
 * How runners share it (docs/campaigns.md, "Several runners"):
 * - claims: claimNext takes the next due contact with FOR UPDATE SKIP LOCKED and marks it `claimed` by
 *   its runner, under a per-campaign advisory lock that also makes the live-call limit exact across
 *   runners (dialing + live + claimed, every runner's, counted inside the lock);
 * - pace: a shared "next slot" per campaign (a GCRA token bucket, in ivr_pace) that claimNext advances
 *   under the same lock, so the rate is global: runners joining or dying never push it over;
 * - leases: each runner renews a lease (the database's clock decides); recordIntent refuses a runner
 *   whose lease ran out (it must not POST), and once a lease has expired any process that touches the
 *   campaign makes that runner's dialing contacts uncertain and gives its claimed ones back.
 */
import type pg from 'pg'

import {IvrError, notFound, usageError} from '../../errors.js'
import type {
  AttemptOutcome, AttemptRecord, BatchClaimOptions, BatchClaimResult, CampaignCounts, CampaignJournal, CampaignStore, CampaignSummary, CampaignWriter,
  Claim, ClaimResult, ContactResult, MenuStep, RunnerInfo, Settlement,
} from '../journal.js'
import {clientRequestIdFor, type CampaignDefinition, type CampaignStatus, type Contact, type ContactState, type SkippedRow} from '../model.js'
import {databaseFailure, databaseTarget, openDatabase, type DatabaseTarget} from './connection.js'
import {ensureSchema, NewerSchemaError} from './schema.js'

export interface PostgresStoreOptions {
  /** How long a runner that stops renewing keeps its contacts (default 15 s). */
  leaseMs?: number
  connectTimeoutMs?: number
  debug?: (line: string) => void
}

export const DEFAULT_LEASE_MS = 15_000

/** How far ahead of its slot a call may start: calls from several runners interleave, not queue. */
const PACE_TOLERANCE_MS = 250
const BATCH = 1000

interface ContactRow {
  id: number
  row_no: number
  number: string
  vars: Record<string, string>
  timezone: string | null
  state: string
  due_at: string
  attempt: number
  outcome: string | null
}

interface AttemptRow {
  contact_id: number
  attempt: number
  client_request_id: string
  from_number: string | null
  at: string
  result: AttemptRecord['result']
  session_id: string | null
  status: string | null
  duration_sec: number | null
  legs: number | null
  reason: string | null
  steps: MenuStep[]
}

/** What ivr_claim_batch returns (schema.ts): the decision, or one row per claimed contact with its slot. */
interface ClaimRow {
  o_kind: 'lease-lost' | 'live-limit' | 'none-left' | 'busy' | 'due' | 'pace' | 'claim'
  /** pace: how long until enough slots are free (ms from the function's return). */
  o_wait_ms: number | null
  o_next_due: string | null
  /** claim: when this contact's call is to start, in ms from the function's return. */
  o_start_ms: number | null
  o_id: number | null
  o_placed: number | null
  o_row_no: number | null
  o_number: string | null
  o_vars: Record<string, string> | null
  o_timezone: string | null
  o_attempt: number | null
}

const toContact = (r: ContactRow): Contact => ({
  id: r.id, row: r.row_no, number: r.number, vars: r.vars, ...(r.timezone ? {timezone: r.timezone} : {}),
})

/** `claimed` is this journal's own word for a pending contact a runner holds: pending to everyone else. */
const publicState = (state: string): ContactState => (state === 'claimed' ? 'pending' : state) as ContactState

const toAttempt = (a: AttemptRow): AttemptRecord => ({
  attempt: a.attempt,
  clientRequestId: a.client_request_id,
  ...(a.from_number ? {from: a.from_number} : {}),
  at: Number(a.at),
  result: a.result,
  ...(a.session_id ? {sessionId: a.session_id} : {}),
  ...(a.status ? {status: a.status} : {}),
  ...(a.duration_sec === null ? {} : {durationSec: a.duration_sec}),
  ...(a.legs === null ? {} : {legs: a.legs}),
  ...(a.reason ? {reason: a.reason} : {}),
  steps: a.steps ?? [],
})

/**
 * Runs fn in a transaction on one pooled connection. Every transaction here locks a contact's row
 * before its attempt's, but a deadlock or serialization failure the server reports is still retried
 * (it rolled everything back): a few times, then it is an error.
 */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      const code = (error as {code?: string}).code
      if (attempt >= 5 || (code !== '40P01' && code !== '40001')) throw error
    } finally {
      client.release()
    }
  }
}

/** Reaps runners whose lease ran out: their dialing contacts become uncertain, their claims are given back. */
const REAP_SQL = `
WITH dead AS (
  UPDATE ivr_runners SET ended = 'expired'
  WHERE campaign = $1 AND ended IS NULL AND lease_until < now()
  RETURNING runner_id
), released AS (
  UPDATE ivr_contacts SET state = 'pending', claimed_by = NULL
  WHERE campaign = $1 AND state = 'claimed' AND claimed_by IN (SELECT runner_id FROM dead)
  RETURNING id
), lost AS (
  UPDATE ivr_contacts SET state = 'uncertain', outcome = 'UNCERTAIN'
  WHERE campaign = $1 AND state = 'dialing' AND runner_id IN (SELECT runner_id FROM dead)
  RETURNING id, attempt, runner_id
), marked AS (
  UPDATE ivr_attempts a SET result = 'uncertain', reason = 'its runner (' || lost.runner_id || ') stopped before recording the answer'
  FROM lost WHERE a.campaign = $1 AND a.contact_id = lost.id AND a.attempt = lost.attempt AND a.result = 'sending'
  RETURNING a.contact_id
)
SELECT (SELECT count(*) FROM dead)::int AS runners, (SELECT count(*) FROM lost)::int AS uncertain`

export class PostgresCampaignJournal implements CampaignJournal {
  readonly location: string

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: DatabaseTarget,
    readonly definition: CampaignDefinition,
    private readonly leaseMs: number,
    private readonly ownsPool: boolean,
  ) {
    this.location = target.display
  }

  get name(): string {
    return this.definition.name
  }

  /** Every database failure leaves as an IvrError that names the server, never its password. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw databaseFailure(error, this.target, 'use')
    }
  }

  private get lockKey(): string {
    return `ivr campaign ${this.name}`
  }

  async status(): Promise<CampaignStatus> {
    return this.run(async () => {
      const {rows} = await this.pool.query<{status: CampaignStatus}>('SELECT status FROM ivr_campaigns WHERE name = $1', [this.name])
      if (!rows[0]) throw notFound(`Campaign "${this.name}" no longer exists in ${this.location}.`)
      return rows[0].status
    })
  }

  async setStatus(status: CampaignStatus): Promise<void> {
    await this.run(() => inTransaction(this.pool, async (db) => {
      await db.query('UPDATE ivr_campaigns SET status = $2 WHERE name = $1', [this.name, status])
      // Contacts never called are done: CANCELLED (a retry waiting too). Calls under way finish; a
      // contact a runner holds is cancelled when it gives it back (release).
      if (status === 'cancelled') {
        await db.query("UPDATE ivr_contacts SET state = 'done', outcome = 'CANCELLED' WHERE campaign = $1 AND state = 'pending'", [this.name])
      }
    }))
  }

  /** Makes expired runners' work uncertain (or free); returns how many runners expired now. */
  async reap(): Promise<{runners: number; uncertain: number}> {
    return this.run(async () => {
      const {rows} = await this.pool.query<{runners: number; uncertain: number}>(REAP_SQL, [this.name])
      return rows[0]
    })
  }

  async join(runner: RunnerInfo): Promise<void> {
    await this.reap()
    await this.run(() => this.insertRunner(this.pool, runner))
  }

  private async insertRunner(db: pg.Pool | pg.PoolClient, runner: RunnerInfo): Promise<void> {
    await db.query(
      `INSERT INTO ivr_runners (campaign, runner_id, pid, host, started_at, lease_until)
       VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond')
       ON CONFLICT (campaign, runner_id) DO UPDATE SET lease_until = EXCLUDED.lease_until, ended = NULL`,
      [this.name, runner.runnerId, runner.pid, runner.host, runner.startedAt, this.leaseMs],
    )
  }

  async heartbeat(runnerId: string): Promise<{runners: number}> {
    const {rowCount} = await this.run(() => this.pool.query(
      `UPDATE ivr_runners SET lease_until = now() + $3 * interval '1 millisecond'
       WHERE campaign = $1 AND runner_id = $2 AND ended IS NULL AND lease_until >= now()`,
      [this.name, runnerId, this.leaseMs],
    ))
    if (!rowCount) throw leaseLost(runnerId, this.leaseMs)
    await this.reap()
    const {rows} = await this.run(() => this.pool.query<{n: number}>(
      'SELECT count(*)::int AS n FROM ivr_runners WHERE campaign = $1 AND ended IS NULL', [this.name],
    ))
    return {runners: rows[0].n}
  }

  async leave(runnerId: string): Promise<void> {
    await this.run(() => inTransaction(this.pool, async (db) => {
      await db.query("UPDATE ivr_contacts SET state = 'pending', claimed_by = NULL WHERE campaign = $1 AND state = 'claimed' AND claimed_by = $2", [this.name, runnerId])
      // A runner leaves after its POSTs were answered; one that could not record an answer leaves it uncertain.
      const lost = await db.query<{id: number; attempt: number}>(
        "UPDATE ivr_contacts SET state = 'uncertain', outcome = 'UNCERTAIN' WHERE campaign = $1 AND state = 'dialing' AND runner_id = $2 RETURNING id, attempt",
        [this.name, runnerId],
      )
      for (const {id, attempt} of lost.rows) {
        await db.query("UPDATE ivr_attempts SET result = 'uncertain', reason = 'its runner stopped before recording the answer' WHERE campaign = $1 AND contact_id = $2 AND attempt = $3 AND result = 'sending'", [this.name, id, attempt])
      }
      await db.query("UPDATE ivr_runners SET ended = 'left' WHERE campaign = $1 AND runner_id = $2", [this.name, runnerId])
    }))
  }

  async claimNext(runnerId: string, now: number, limits: {maxLive: number}): Promise<ClaimResult> {
    // One slot, handed out up to PACE_TOLERANCE_MS before it starts.
    const r = await this.claimBatch(runnerId, now, {maxLive: limits.maxLive, rate: this.definition.rate, min: 1, max: 1, horizonMs: PACE_TOLERANCE_MS})
    if ('claims' in r) return {claim: r.claims[0]}
    return r.wait === 'pace' ? {wait: 'due', nextDueAt: r.nextDueAt} : r
  }

  async claimBatch(runnerId: string, now: number, o: BatchClaimOptions): Promise<BatchClaimResult> {
    return this.run(async () => {
      // One round trip: ivr_claim_batch (schema.ts) decides under the campaign's claim lock.
      const {rows} = await this.pool.query<ClaimRow>(
        'SELECT * FROM ivr_claim_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [this.name, runnerId, now, o.maxLive, 1000 / o.rate, o.horizonMs, o.min, o.max, this.leaseMs, new Date(now).toISOString()],
      )
      // The slots are said as ms from the function's return: this process's clock from here on.
      const at = Date.now()
      const r = rows[0]
      switch (r.o_kind) {
        case 'lease-lost': throw leaseLost(runnerId, this.leaseMs)
        case 'live-limit': return {wait: 'live-limit'}
        case 'none-left': return {wait: 'none-left'}
        case 'busy': return {wait: 'due'}
        case 'due': return {wait: 'due', nextDueAt: Number(r.o_next_due)}
        case 'pace': return {wait: 'pace', nextDueAt: at + Math.max(1, Math.ceil(r.o_wait_ms ?? 0))}
      }
      return {claims: rows.map((c) => {
        const attempt = c.o_attempt! + 1
        const contact = toContact({id: c.o_id!, row_no: c.o_row_no!, number: c.o_number!, vars: c.o_vars!, timezone: c.o_timezone, state: 'claimed', due_at: '0', attempt: c.o_attempt!, outcome: null})
        return {contact, attempt, placed: c.o_placed ?? 0, clientRequestId: clientRequestIdFor(this.name, c.o_id!, attempt), runnerId, startAt: at + (c.o_start_ms ?? 0)}
      })}
    })
  }

  async release(claim: Claim, dueAt: number): Promise<void> {
    await this.run(() => this.pool.query(
      `UPDATE ivr_contacts SET claimed_by = NULL, due_at = $4,
         state = CASE WHEN (SELECT status FROM ivr_campaigns WHERE name = $1) = 'cancelled' THEN 'done' ELSE 'pending' END,
         outcome = CASE WHEN (SELECT status FROM ivr_campaigns WHERE name = $1) = 'cancelled' THEN 'CANCELLED' END
       WHERE campaign = $1 AND id = $2 AND state = 'claimed' AND claimed_by = $3`,
      // Whole ms (due_at is bigint): a fractional time would fail the update and leave the contact held.
      [this.name, claim.contact.id, claim.runnerId, Math.max(Math.ceil(dueAt), 1)],
    ))
  }

  async recordIntent(claim: Claim, intent: {at: number; from: string; validUntil: string}): Promise<void> {
    const {rowCount} = await this.run(() => this.pool.query(
      `WITH c AS (
         UPDATE ivr_contacts SET state = 'dialing', claimed_by = NULL, runner_id = $3, attempt = $4, outcome = NULL, live_since = NULL
         WHERE campaign = $1 AND id = $2 AND state = 'claimed' AND claimed_by = $3 AND attempt = $4 - 1
           AND EXISTS (SELECT 1 FROM ivr_runners r WHERE r.campaign = $1 AND r.runner_id = $3 AND r.ended IS NULL AND r.lease_until >= now())
         RETURNING id
       )
       INSERT INTO ivr_attempts (campaign, contact_id, attempt, client_request_id, from_number, at, valid_until, runner_id, result)
       SELECT $1, id, $4, $5, $6, $7, $8, $3, 'sending' FROM c`,
      [this.name, claim.contact.id, claim.runnerId, claim.attempt, claim.clientRequestId, intent.from, intent.at, intent.validUntil],
    ))
    // The runner must not POST: its lease ran out, and the contact may already be another runner's.
    if (!rowCount) throw leaseLost(claim.runnerId, this.leaseMs, claim.contact.id)
  }

  /** The answer to a POST, in one round trip (ivr_answer, schema.ts). */
  private async answer(claim: Claim, kind: 'created' | 'not-created' | 'uncertain', a: {session?: string; at?: number; reason?: string; retryAt?: number; outcome?: string}): Promise<void> {
    await this.run(() => this.pool.query(
      'SELECT ivr_answer($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [this.name, claim.contact.id, claim.attempt, kind, a.session ?? null, a.at ?? null, a.reason ?? null, a.retryAt ?? null, a.outcome ?? null],
    ))
  }

  async recordCreated(claim: Claim, sessionId: string, at: number): Promise<void> {
    await this.answer(claim, 'created', {session: sessionId, at})
  }

  async recordNotCreated(claim: Claim, info: {reason: string; retryAt?: number; outcome?: string}): Promise<void> {
    await this.answer(claim, 'not-created', info)
  }

  async recordUncertain(claim: Claim, reason: string): Promise<void> {
    await this.answer(claim, 'uncertain', {reason})
  }

  async recordOutcome(contactId: number, attempt: number, outcome: AttemptOutcome, retryAt: (placed: number) => number | undefined): Promise<'applied' | 'ignored'> {
    // ivr_outcome (schema.ts), one statement each: the first says how many calls the contact will have
    // placed, the second applies the summary with the retry decided for that count. Should the count
    // have changed in between (another attempt's summary), it says so again and is asked again.
    let placed: number | null = null
    let next: number | undefined
    for (;;) {
      const {rows} = await this.run(() => this.pool.query<{o_result: 'ignored' | 'decide' | 'applied'; o_placed: number | null}>(
        'SELECT * FROM ivr_outcome($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
        [this.name, contactId, attempt, outcome.status, outcome.sessionId, outcome.durationSec ?? null, outcome.legs ?? null, outcome.errorCode ?? null, outcome.endedAt ?? null, placed, next ?? null],
      ))
      const r = rows[0]
      if (r.o_result !== 'decide') return r.o_result
      placed = r.o_placed
      next = retryAt(placed!)
    }
  }

  /** Writes a summary onto its attempt unless one is there already; whether it was written. */
  private async applyOutcome(db: pg.PoolClient, contactId: number, attempt: number, outcome: AttemptOutcome): Promise<boolean> {
    const {rowCount} = await db.query(
      `UPDATE ivr_attempts SET status = $4, session_id = coalesce(session_id, $5), duration_sec = $6, legs = $7, error_code = $8, ended_at = $9,
         result = CASE WHEN result IN ('sending', 'uncertain') THEN 'created' ELSE result END
       WHERE campaign = $1 AND contact_id = $2 AND attempt = $3 AND (status IS NULL OR status = 'NO_SUMMARY')`,
      [this.name, contactId, attempt, outcome.status, outcome.sessionId, outcome.durationSec ?? null, outcome.legs ?? null, outcome.errorCode ?? null, outcome.endedAt ?? null],
    )
    return Boolean(rowCount)
  }

  async recordStep(sessionId: string, step: MenuStep): Promise<boolean> {
    const {rowCount} = await this.run(() => this.pool.query(
      'UPDATE ivr_attempts SET steps = steps || $3::jsonb WHERE session_id = $2 AND campaign = $1',
      [this.name, sessionId, JSON.stringify([step])],
    ))
    return Boolean(rowCount)
  }

  async expireLive(createdBefore: number): Promise<number> {
    const {rows} = await this.run(() => this.pool.query<{n: number}>(
      `WITH expired AS (
         UPDATE ivr_contacts SET state = 'done', outcome = 'NO_SUMMARY', runner_id = NULL
         WHERE campaign = $1 AND state = 'live' AND live_since < $2 RETURNING id, attempt
       ), marked AS (
         UPDATE ivr_attempts a SET status = 'NO_SUMMARY' FROM expired
         WHERE a.campaign = $1 AND a.contact_id = expired.id AND a.attempt = expired.attempt AND a.status IS NULL RETURNING 1
       )
       SELECT count(*)::int AS n FROM expired`,
      [this.name, createdBefore],
    ))
    return rows[0].n
  }

  async uncertain(): Promise<Array<{contactId: number; attempt: number; clientRequestId: string; number: string; outcome: string}>> {
    await this.reap()
    const {rows} = await this.run(() => this.pool.query<{id: number; attempt: number; client_request_id: string; number: string; outcome: string}>(
      `SELECT c.id, c.attempt, a.client_request_id, c.number, c.outcome FROM ivr_contacts c
       JOIN ivr_attempts a ON a.campaign = c.campaign AND a.contact_id = c.id AND a.attempt = c.attempt
       WHERE c.campaign = $1 AND (c.state = 'uncertain' OR (c.state = 'done' AND c.outcome = 'NO_SUMMARY'))
       ORDER BY c.id`, [this.name],
    ))
    return rows.map((r) => ({contactId: r.id, attempt: r.attempt, clientRequestId: r.client_request_id, number: r.number, outcome: r.outcome}))
  }

  async settle(s: Settlement): Promise<boolean> {
    return this.run(() => inTransaction(this.pool, async (db) => {
      const {rowCount} = await db.query(
        `UPDATE ivr_contacts SET state = 'done', outcome = $4, runner_id = NULL, live_since = NULL
         WHERE campaign = $1 AND id = $2 AND attempt = $3 AND (state = 'uncertain' OR (state = 'done' AND outcome = 'NO_SUMMARY'))`,
        [this.name, s.contactId, s.attempt, s.outcome.status],
      )
      if (!rowCount) return false
      await this.applyOutcome(db, s.contactId, s.attempt, s.outcome)
      return true
    }))
  }

  async retryUncertain(): Promise<number> {
    await this.reap()
    const {rowCount} = await this.run(() => this.pool.query(
      "UPDATE ivr_contacts SET state = 'pending', outcome = NULL, due_at = 0, runner_id = NULL WHERE campaign = $1 AND state = 'uncertain'", [this.name],
    ))
    return rowCount ?? 0
  }

  async counts(now = Date.now()): Promise<CampaignCounts> {
    await this.reap()
    return this.run(async () => {
      const byState = await this.pool.query<{state: string; outcome: string | null; later: boolean; n: number}>(
        'SELECT state, outcome, due_at > $2 AS later, count(*)::int AS n FROM ivr_contacts WHERE campaign = $1 GROUP BY 1, 2, 3', [this.name, now],
      )
      const calls = await this.pool.query<{attempts: number; created: number; first_at: string | null; last_at: string | null; last_minute: number}>(
        `WITH a AS (SELECT * FROM ivr_attempts WHERE campaign = $1), m AS (SELECT max(at) AS last_at FROM a)
         SELECT count(*)::int AS attempts, (count(*) FILTER (WHERE result = 'created' OR status IS NOT NULL))::int AS created,
                min(at) AS first_at, (SELECT last_at FROM m) AS last_at,
                (count(*) FILTER (WHERE at > (SELECT last_at FROM m) - 60000))::int AS last_minute
         FROM a`, [this.name],
      )
      const skipped = await this.pool.query<{n: number}>('SELECT count(*)::int AS n FROM ivr_skipped WHERE campaign = $1', [this.name])
      const counts: CampaignCounts = {
        total: 0, pending: 0, waiting: 0, dialing: 0, live: 0, done: 0, uncertain: 0, skipped: skipped.rows[0].n,
        byOutcome: {}, attempts: calls.rows[0].attempts, created: calls.rows[0].created, callsLastMinute: calls.rows[0].last_minute,
      }
      const c = calls.rows[0]
      if (c.first_at !== null) counts.firstCallAt = Number(c.first_at)
      if (c.last_at !== null) counts.lastCallAt = Number(c.last_at)
      for (const r of byState.rows) {
        counts.total += r.n
        const state = publicState(r.state)
        if (state === 'pending') {
          counts.pending += r.n
          if (r.later && r.state === 'pending') counts.waiting += r.n
        } else {
          counts[state] += r.n
        }
        if (state === 'done' && r.outcome) counts.byOutcome[r.outcome] = (counts.byOutcome[r.outcome] ?? 0) + r.n
      }
      return counts
    })
  }

  async *results(): AsyncIterable<ContactResult> {
    let after = 0
    for (;;) {
      const page = await this.run(async () => {
        const contacts = await this.pool.query<ContactRow>(
          'SELECT * FROM ivr_contacts WHERE campaign = $1 AND id > $2 ORDER BY id LIMIT $3', [this.name, after, BATCH],
        )
        const ids = contacts.rows.map((r) => r.id)
        const attempts = ids.length === 0 ? [] : (await this.pool.query<AttemptRow>(
          'SELECT * FROM ivr_attempts WHERE campaign = $1 AND contact_id = ANY($2::int[]) ORDER BY contact_id, attempt', [this.name, ids],
        )).rows
        return {contacts: contacts.rows, attempts}
      })
      if (page.contacts.length === 0) return
      const byContact = new Map<number, AttemptRecord[]>()
      for (const a of page.attempts) {
        const list = byContact.get(a.contact_id) ?? []
        list.push(toAttempt(a))
        byContact.set(a.contact_id, list)
      }
      for (const r of page.contacts) {
        const state = publicState(r.state)
        const dueAt = Number(r.due_at)
        yield {
          contact: toContact(r),
          state,
          outcome: outcomeOf(state, r.outcome),
          attempts: byContact.get(r.id) ?? [],
          ...(state === 'pending' && dueAt > 0 ? {dueAt} : {}),
        }
      }
      after = page.contacts.at(-1)!.id
    }
  }

  async *skipped(): AsyncIterable<SkippedRow> {
    let after = 0
    for (;;) {
      const {rows} = await this.run(() => this.pool.query<{row_no: number; number: string; reason: SkippedRow['reason']; detail: string}>(
        'SELECT row_no, number, reason, detail FROM ivr_skipped WHERE campaign = $1 AND row_no > $2 ORDER BY row_no LIMIT $3', [this.name, after, BATCH],
      ))
      if (rows.length === 0) return
      for (const r of rows) yield {row: r.row_no, number: r.number, reason: r.reason, detail: r.detail}
      after = rows.at(-1)!.row_no
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end().catch(() => {})
  }
}

/** A contact's outcome word while it has no final one. */
function outcomeOf(state: ContactState, outcome: string | null): string {
  if (state === 'done') return outcome ?? 'UNKNOWN'
  if (state === 'uncertain') return 'UNCERTAIN'
  if (state === 'pending') return 'PENDING'
  return 'LIVE'
}

function leaseLost(runnerId: string, leaseMs: number, contactId?: number): IvrError {
  return new IvrError(
    `This runner (${runnerId}) lost its lease on the campaign: it did not renew it within ${Math.round(leaseMs / 1000)} s, so the other runners took over its contacts${contactId === undefined ? '' : ` (contact ${contactId} was not dialed)`}.`,
    {code: 'LEASE_LOST', exitCode: 1, suggestions: ['Run `ivr campaign run` again to rejoin; contacts it was dialing are uncertain (see `ivr campaign reconcile`).']},
  )
}

/** Campaigns in one PostgreSQL database. */
export class PostgresCampaignStore implements CampaignStore {
  readonly location: string

  private constructor(
    private readonly pool: pg.Pool,
    private readonly target: DatabaseTarget,
    private readonly leaseMs: number,
  ) {
    this.location = target.display
  }

  /**
   * Connects (an unreachable or refusing database fails here, before anything is dialed) and makes sure
   * the tables exist.
   */
  static async open(connectionString: string, opts: PostgresStoreOptions = {}): Promise<PostgresCampaignStore> {
    const target = databaseTarget(connectionString)
    const pool = await openDatabase(target, {connectTimeoutMs: opts.connectTimeoutMs, debug: opts.debug})
    try {
      await ensureSchema(pool)
    } catch (error) {
      await pool.end().catch(() => {})
      if (error instanceof NewerSchemaError) {
        throw new IvrError(`The campaign database at ${target.display} was set up by a newer ivr: ${error.message}.`, {
          code: 'DATABASE_SCHEMA', exitCode: 1, suggestions: ['Upgrade ivr (npm install -g ivr) on this machine.'],
        })
      }
      throw databaseFailure(error, target, 'set up')
    }
    return new PostgresCampaignStore(pool, target, opts.leaseMs ?? DEFAULT_LEASE_MS)
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw databaseFailure(error, this.target, 'use')
    }
  }

  async exists(name: string): Promise<boolean> {
    const {rowCount} = await this.run(() => this.pool.query('SELECT 1 FROM ivr_campaigns WHERE name = $1', [name]))
    return Boolean(rowCount)
  }

  async create(definition: CampaignDefinition, opts: {replace?: boolean}): Promise<CampaignWriter> {
    const client = await this.run(() => this.pool.connect())
    try {
      await client.query('BEGIN')
      // Two creates of one name: the second waits here for the first to commit or give up.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ivr campaign ${definition.name}`])
      const existing = await client.query<{dialed: boolean}>(
        'SELECT EXISTS (SELECT 1 FROM ivr_attempts WHERE campaign = $1) AS dialed FROM ivr_campaigns WHERE name = $1', [definition.name],
      )
      if (existing.rows[0]) {
        if (!opts.replace) throw campaignExists(definition.name, this.location)
        if (existing.rows[0].dialed) {
          throw usageError(`Campaign "${definition.name}" has already dialed contacts: it cannot be replaced.`, [
            'Create the new one under another name; `ivr campaign results` keeps what this one did.',
          ])
        }
        await client.query('DELETE FROM ivr_campaigns WHERE name = $1', [definition.name])
      }
      await client.query('INSERT INTO ivr_campaigns (name, definition, status) VALUES ($1, $2, $3)', [definition.name, JSON.stringify(definition), 'ready'])
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      client.release()
      throw databaseFailure(error, this.target, 'use')
    }
    return new PostgresCampaignWriter(client, definition.name, this.target)
  }

  async open(name: string): Promise<CampaignJournal> {
    const {rows} = await this.run(() => this.pool.query<{definition: CampaignDefinition}>('SELECT definition FROM ivr_campaigns WHERE name = $1', [name]))
    if (!rows[0]) {
      throw notFound(`No campaign named "${name}" in ${this.location}.`, ['List them with `ivr campaign list --db …`, or create it with `ivr campaign create`.'], 'CAMPAIGN_NOT_FOUND')
    }
    const journal = new PostgresCampaignJournal(this.pool, this.target, rows[0].definition, this.leaseMs, false)
    await journal.reap()
    return journal
  }

  async list(): Promise<CampaignSummary[]> {
    const {rows} = await this.run(() => this.pool.query<{name: string; status: CampaignStatus; created_at: Date; definition: CampaignDefinition}>(
      'SELECT name, status, created_at, definition FROM ivr_campaigns ORDER BY created_at, name',
    ))
    const out: CampaignSummary[] = []
    for (const r of rows) {
      const journal = new PostgresCampaignJournal(this.pool, this.target, r.definition, this.leaseMs, false)
      out.push({name: r.name, status: r.status, location: this.location, createdAt: r.definition.createdAt ?? r.created_at.toISOString(), counts: await journal.counts()})
    }
    return out
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {})
  }
}

function campaignExists(name: string, location: string): IvrError {
  return usageError(`A campaign named "${name}" already exists in ${location}.`, [
    'Choose another name, or add --force to replace it (only a campaign that has dialed nobody).',
  ])
}

/** Streams a new campaign's rows in one transaction: nothing is visible until commit(). */
class PostgresCampaignWriter implements CampaignWriter {
  private contacts: Array<Omit<Contact, 'id'> & {id: number}> = []
  private skippedRows: SkippedRow[] = []
  private nextId = 1
  private finished = false

  constructor(private readonly client: pg.PoolClient, private readonly name: string, private readonly target: DatabaseTarget) {}

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      await this.abort()
      throw databaseFailure(error, this.target, 'use')
    }
  }

  async addContact(contact: Omit<Contact, 'id'>): Promise<number> {
    const id = this.nextId++
    this.contacts.push({...contact, id})
    if (this.contacts.length >= BATCH) await this.flushContacts()
    return id
  }

  async addSkipped(row: SkippedRow): Promise<void> {
    this.skippedRows.push(row)
    if (this.skippedRows.length >= BATCH) await this.flushSkipped()
  }

  private async flushContacts(): Promise<void> {
    const batch = this.contacts
    this.contacts = []
    if (batch.length === 0) return
    await this.run(() => this.client.query(
      `INSERT INTO ivr_contacts (campaign, id, row_no, number, vars, timezone)
       SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[], $5::jsonb[], $6::text[])`,
      [this.name, batch.map((c) => c.id), batch.map((c) => c.row), batch.map((c) => c.number), batch.map((c) => JSON.stringify(c.vars)), batch.map((c) => c.timezone ?? null)],
    ))
  }

  private async flushSkipped(): Promise<void> {
    const batch = this.skippedRows
    this.skippedRows = []
    if (batch.length === 0) return
    await this.run(() => this.client.query(
      `INSERT INTO ivr_skipped (campaign, row_no, number, reason, detail)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])`,
      [this.name, batch.map((r) => r.row), batch.map((r) => r.number), batch.map((r) => r.reason), batch.map((r) => r.detail)],
    ))
  }

  async commit(): Promise<void> {
    await this.flushContacts()
    await this.flushSkipped()
    await this.run(() => this.client.query('COMMIT'))
    this.finished = true
    // Fresh statistics for the rows just written, so the claim's plans use the pending index from the first call.
    await this.client.query('ANALYZE ivr_contacts').catch(() => {})
    this.client.release()
  }

  async abort(): Promise<void> {
    if (this.finished) return
    this.finished = true
    await this.client.query('ROLLBACK').catch(() => {})
    this.client.release()
  }
}
