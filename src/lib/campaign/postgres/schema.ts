import type pg from 'pg'

/**
 * The campaign tables. Several campaigns share one database; every row carries its campaign's name.
 * Times the runner decides (due, intent, created) are epoch ms from the runner's clock, as in the local
 * journal; leases are judged by the database's clock alone (now()), so runners on machines whose
 * clocks disagree still agree on who is alive.
 */
export const SCHEMA_VERSION = 5

const DDL = `
CREATE TABLE IF NOT EXISTS ivr_schema (version integer NOT NULL);

CREATE TABLE IF NOT EXISTS ivr_campaigns (
  name        text PRIMARY KEY,
  definition  jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'ready',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ivr_contacts (
  campaign    text NOT NULL REFERENCES ivr_campaigns(name) ON DELETE CASCADE,
  id          integer NOT NULL,
  row_no      integer NOT NULL,
  number      text NOT NULL,
  vars        jsonb NOT NULL,
  timezone    text,
  -- pending, dialing, live, done, uncertain (model.ts ContactState)
  state       text NOT NULL DEFAULT 'pending',
  due_at      bigint NOT NULL DEFAULT 0,
  -- POSTs made so far (the current attempt's number once its intent is written)
  attempt     integer NOT NULL DEFAULT 0,
  outcome     text,
  -- a runner that holds this pending contact between claimNext and recordIntent
  claimed_by  text,
  -- the runner whose POST this dialing or live contact is
  runner_id   text,
  -- when the current call was created (epoch ms): the live timeout counts from here
  live_since  bigint,
  PRIMARY KEY (campaign, id)
);
-- The claim's picks, its "anything due?" and its "next due" read this: every pending contact in due
-- order (schema 3 had it only for claimed_by IS NULL, which the claim's queries do not say, so each
-- claim scanned and sorted every pending row).
DROP INDEX IF EXISTS ivr_contacts_due;
CREATE INDEX IF NOT EXISTS ivr_contacts_pending ON ivr_contacts (campaign, due_at, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS ivr_contacts_state ON ivr_contacts (campaign, state);

CREATE TABLE IF NOT EXISTS ivr_attempts (
  campaign     text NOT NULL,
  contact_id   integer NOT NULL,
  attempt      integer NOT NULL,
  client_request_id text NOT NULL,
  from_number  text,
  at           bigint NOT NULL,
  valid_until  text,
  runner_id    text,
  -- sending, created, not-created, uncertain (journal.ts AttemptRecord)
  result       text NOT NULL,
  session_id   text,
  status       text,
  duration_sec double precision,
  legs         integer,
  error_code   integer,
  ended_at     text,
  reason       text,
  steps        jsonb NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (campaign, contact_id, attempt),
  FOREIGN KEY (campaign, contact_id) REFERENCES ivr_contacts(campaign, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ivr_attempts_session ON ivr_attempts (session_id) WHERE session_id IS NOT NULL;
-- Schema 4 had an index on (campaign, at): while the table was young the planner took it for the
-- answer's and the claim's look-ups of one attempt and scanned every attempt of the campaign each time.
DROP INDEX IF EXISTS ivr_attempts_at;

CREATE TABLE IF NOT EXISTS ivr_skipped (
  campaign  text NOT NULL REFERENCES ivr_campaigns(name) ON DELETE CASCADE,
  row_no    integer NOT NULL,
  number    text NOT NULL,
  reason    text NOT NULL,
  detail    text NOT NULL,
  PRIMARY KEY (campaign, row_no)
);

CREATE TABLE IF NOT EXISTS ivr_runners (
  campaign    text NOT NULL REFERENCES ivr_campaigns(name) ON DELETE CASCADE,
  runner_id   text NOT NULL,
  pid         integer NOT NULL,
  host        text NOT NULL,
  started_at  text NOT NULL,
  lease_until timestamptz NOT NULL,
  -- set once: left (a clean stop) or expired (its lease ran out; its dialing contacts became uncertain)
  ended       text,
  PRIMARY KEY (campaign, runner_id)
);

-- The global pace: the earliest moment the campaign's next call may start, shared by every runner.
CREATE TABLE IF NOT EXISTS ivr_pace (
  campaign     text PRIMARY KEY REFERENCES ivr_campaigns(name) ON DELETE CASCADE,
  next_slot_at double precision NOT NULL DEFAULT 0
);

DROP FUNCTION IF EXISTS ivr_claim(text, text, bigint, integer, double precision, double precision, integer, text);

-- A claim in one round trip (the claim lock is held for the function's run alone): the runner's lease,
-- the live-call limit across runners, the shared pace, then up to p_max due contacts, retries first,
-- taken with FOR UPDATE SKIP LOCKED. The pace is a slot counter: next_slot_at is the start of the
-- campaign's next call (never in the past: an idle campaign starts again from now), and a claim of n
-- contacts takes the n slots from it, p_interval apart, all within p_horizon ms of now; each contact is
-- returned with its slot, as ms from the moment the function returns. Fewer than p_min slots within
-- the horizon (or under the live limit) and the runner is told to wait until there are: claims are few
-- and larger, not one per slot. The live limit counts claimed contacts too, so a batch never exceeds it.
CREATE OR REPLACE FUNCTION ivr_claim_batch(p_campaign text, p_runner text, p_now bigint, p_max_live integer, p_interval double precision,
                                           p_horizon double precision, p_min integer, p_max integer, p_lease_ms integer, p_started text)
RETURNS TABLE (o_kind text, o_wait_ms double precision, o_next_due bigint, o_start_ms double precision, o_id integer, o_placed integer,
               o_row_no integer, o_number text, o_vars jsonb, o_timezone text, o_attempt integer)
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $fn$
DECLARE
  v_alive boolean;
  v_allowed integer;
  v_slot double precision;
  v_db_now double precision;
  v_n integer;
  v_id integer;
  v_ids integer[] := '{}';
  v_next_due bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('ivr campaign ' || p_campaign));
  SELECT r.ended IS NULL AND r.lease_until >= now() INTO v_alive FROM ivr_runners r WHERE r.campaign = p_campaign AND r.runner_id = p_runner;
  IF NOT FOUND THEN
    -- A runner that never joined (a one-off command) joins by claiming.
    INSERT INTO ivr_runners (campaign, runner_id, pid, host, started_at, lease_until)
    VALUES (p_campaign, p_runner, 0, '', p_started, now() + p_lease_ms * interval '1 millisecond');
    v_alive := true;
  END IF;
  IF NOT v_alive THEN
    RETURN QUERY SELECT 'lease-lost'::text, NULL::double precision, NULL::bigint, NULL::double precision, NULL::integer, NULL::integer, NULL::integer, NULL::text, NULL::jsonb, NULL::text, NULL::integer;
    RETURN;
  END IF;
  SELECT p_max_live - count(*) INTO v_allowed FROM ivr_contacts c WHERE c.campaign = p_campaign AND c.state IN ('claimed', 'dialing', 'live');
  IF v_allowed <= 0 THEN
    RETURN QUERY SELECT 'live-limit'::text, NULL::double precision, NULL::bigint, NULL::double precision, NULL::integer, NULL::integer, NULL::integer, NULL::text, NULL::jsonb, NULL::text, NULL::integer;
    RETURN;
  END IF;
  INSERT INTO ivr_pace (campaign) VALUES (p_campaign) ON CONFLICT (campaign) DO NOTHING;
  SELECT p.next_slot_at INTO v_slot FROM ivr_pace p WHERE p.campaign = p_campaign;
  v_db_now := extract(epoch FROM clock_timestamp()) * 1000;
  v_slot := greatest(v_slot, v_db_now);
  -- The slots that start within the horizon: the first one, and one more every p_interval.
  v_n := least(p_max, v_allowed, floor((v_db_now + p_horizon - v_slot) / p_interval)::integer + 1);
  IF v_n < least(p_min, v_allowed) THEN
    RETURN QUERY SELECT 'pace'::text, v_slot + (least(p_min, v_allowed) - 1) * p_interval - p_horizon - extract(epoch FROM clock_timestamp()) * 1000,
      NULL::bigint, NULL::double precision, NULL::integer, NULL::integer, NULL::integer, NULL::text, NULL::jsonb, NULL::text, NULL::integer;
    RETURN;
  END IF;
  -- Retries that are due first, in due order, then contacts never called, in file order. (due_at <= 0,
  -- not = 0, though it is never negative: with = 0 the planner takes the primary key for the id order
  -- and walks every contact claimed so far; a range keeps it on the pending index.)
  FOR v_id IN
    SELECT c.id FROM ivr_contacts c WHERE c.campaign = p_campaign AND c.state = 'pending' AND c.due_at > 0 AND c.due_at <= p_now
    ORDER BY c.due_at, c.id LIMIT v_n FOR UPDATE SKIP LOCKED
  LOOP
    v_ids := v_ids || v_id;
  END LOOP;
  IF cardinality(v_ids) < v_n THEN
    FOR v_id IN
      SELECT c.id FROM ivr_contacts c WHERE c.campaign = p_campaign AND c.state = 'pending' AND c.due_at <= 0
      ORDER BY c.due_at, c.id LIMIT v_n - cardinality(v_ids) FOR UPDATE SKIP LOCKED
    LOOP
      v_ids := v_ids || v_id;
    END LOOP;
  END IF;
  IF cardinality(v_ids) = 0 THEN
    SELECT min(c.due_at) INTO v_next_due FROM ivr_contacts c WHERE c.campaign = p_campaign AND c.state = 'pending';
    IF v_next_due IS NOT NULL AND v_next_due > p_now THEN
      RETURN QUERY SELECT 'due'::text, NULL::double precision, v_next_due, NULL::double precision, NULL::integer, NULL::integer, NULL::integer, NULL::text, NULL::jsonb, NULL::text, NULL::integer;
    ELSIF v_next_due IS NOT NULL OR EXISTS (SELECT 1 FROM ivr_contacts c WHERE c.campaign = p_campaign AND c.state IN ('claimed', 'dialing')) THEN
      -- Due ones locked by another transaction, or another runner holds or is sending some: they may come back.
      RETURN QUERY SELECT 'busy'::text, NULL::double precision, NULL::bigint, NULL::double precision, NULL::integer, NULL::integer, NULL::integer, NULL::text, NULL::jsonb, NULL::text, NULL::integer;
    ELSE
      RETURN QUERY SELECT 'none-left'::text, NULL::double precision, NULL::bigint, NULL::double precision, NULL::integer, NULL::integer, NULL::integer, NULL::text, NULL::jsonb, NULL::text, NULL::integer;
    END IF;
    RETURN;
  END IF;
  UPDATE ivr_contacts c SET state = 'claimed', claimed_by = p_runner WHERE c.campaign = p_campaign AND c.id = ANY (v_ids);
  UPDATE ivr_pace p SET next_slot_at = v_slot + cardinality(v_ids) * p_interval WHERE p.campaign = p_campaign;
  v_db_now := extract(epoch FROM clock_timestamp()) * 1000;
  RETURN QUERY SELECT 'claim'::text, NULL::double precision, NULL::bigint, v_slot + (u.ord - 1) * p_interval - v_db_now, c.id,
    -- A contact never sent (attempt 0) has placed no call: no look at the attempts.
    CASE WHEN c.attempt = 0 THEN 0 ELSE
      (SELECT count(*)::integer FROM ivr_attempts a WHERE a.campaign = p_campaign AND a.contact_id = c.id AND (a.result = 'created' OR a.status IS NOT NULL)) END,
    c.row_no, c.number, c.vars, c.timezone, c.attempt
    FROM unnest(v_ids) WITH ORDINALITY AS u(id, ord) JOIN ivr_contacts c ON c.campaign = p_campaign AND c.id = u.id
    ORDER BY u.ord;
END
$fn$;

-- The answer to a POST, in one round trip: created (p_session), not created (p_reason; due again at
-- p_retry_at, or done with p_outcome), or uncertain (p_reason). The contact's row is locked before its
-- attempt's, the order every write here follows (two orders deadlock).
CREATE OR REPLACE FUNCTION ivr_answer(p_campaign text, p_id integer, p_attempt integer, p_kind text, p_session text, p_at bigint,
                                      p_reason text, p_retry_at bigint, p_outcome text)
RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $fn$
BEGIN
  PERFORM 1 FROM ivr_contacts c WHERE c.campaign = p_campaign AND c.id = p_id FOR UPDATE;
  IF p_kind = 'created' THEN
    -- Uncertain too: a runner thought dead may still learn the call exists, which settles it.
    UPDATE ivr_contacts c SET state = 'live', outcome = NULL, live_since = p_at
    WHERE c.campaign = p_campaign AND c.id = p_id AND c.attempt = p_attempt AND c.state IN ('dialing', 'uncertain');
    UPDATE ivr_attempts a SET result = 'created', session_id = p_session
    WHERE a.campaign = p_campaign AND a.contact_id = p_id AND a.attempt = p_attempt AND a.result IN ('sending', 'uncertain');
  ELSIF p_kind = 'not-created' THEN
    UPDATE ivr_contacts c SET
      state = CASE WHEN p_retry_at IS NULL THEN 'done' ELSE 'pending' END,
      outcome = CASE WHEN p_retry_at IS NULL THEN coalesce(p_outcome, 'REJECTED') END,
      due_at = coalesce(p_retry_at, c.due_at), runner_id = NULL
    WHERE c.campaign = p_campaign AND c.id = p_id AND c.attempt = p_attempt AND c.state IN ('dialing', 'uncertain');
    UPDATE ivr_attempts a SET result = 'not-created', reason = p_reason
    WHERE a.campaign = p_campaign AND a.contact_id = p_id AND a.attempt = p_attempt AND a.result IN ('sending', 'uncertain');
  ELSE
    UPDATE ivr_contacts c SET state = 'uncertain', outcome = 'UNCERTAIN'
    WHERE c.campaign = p_campaign AND c.id = p_id AND c.attempt = p_attempt AND c.state = 'dialing';
    UPDATE ivr_attempts a SET result = 'uncertain', reason = p_reason
    WHERE a.campaign = p_campaign AND a.contact_id = p_id AND a.attempt = p_attempt AND a.result = 'sending';
  END IF;
END
$fn$;
-- A session summary for an attempt, in one statement (the contact's row locked first, as everywhere):
-- 'ignored' when it is not the contact's current attempt or one was applied already (summaries may
-- arrive twice); 'decide' with the calls the platform will have created for the contact (what the
-- retry policy counts) when the caller has not yet said, for that count, whether to retry (p_placed,
-- p_next); else 'applied': the attempt has its outcome, and the contact is done, or pending again at
-- p_next. A late summary (after NO_SUMMARY) settles the contact and starts no retry.
CREATE OR REPLACE FUNCTION ivr_outcome(p_campaign text, p_id integer, p_attempt integer, p_status text, p_session text, p_duration double precision,
                                       p_legs integer, p_error integer, p_ended text, p_placed integer, p_next bigint)
RETURNS TABLE (o_result text, o_placed integer)
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $fn$
DECLARE
  v_attempt integer;
  v_state text;
  v_outcome text;
  v_late boolean;
  v_placed integer;
BEGIN
  SELECT c.attempt, c.state, c.outcome INTO v_attempt, v_state, v_outcome FROM ivr_contacts c WHERE c.campaign = p_campaign AND c.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'ignored'::text, NULL::integer;
    RETURN;
  END IF;
  v_late := v_state = 'done' AND v_outcome = 'NO_SUMMARY';
  IF v_attempt <> p_attempt OR NOT (v_state IN ('dialing', 'live', 'uncertain') OR v_late)
     OR NOT EXISTS (SELECT 1 FROM ivr_attempts a WHERE a.campaign = p_campaign AND a.contact_id = p_id AND a.attempt = p_attempt AND (a.status IS NULL OR a.status = 'NO_SUMMARY')) THEN
    RETURN QUERY SELECT 'ignored'::text, NULL::integer;
    RETURN;
  END IF;
  IF NOT v_late THEN
    -- Every other attempt that placed a call, and this one.
    SELECT count(*)::integer + 1 INTO v_placed FROM ivr_attempts a
    WHERE a.campaign = p_campaign AND a.contact_id = p_id AND a.attempt <> p_attempt AND (a.result = 'created' OR a.status IS NOT NULL);
    IF p_placed IS DISTINCT FROM v_placed THEN
      RETURN QUERY SELECT 'decide'::text, v_placed;
      RETURN;
    END IF;
  END IF;
  UPDATE ivr_attempts a SET status = p_status, session_id = coalesce(a.session_id, p_session), duration_sec = p_duration, legs = p_legs, error_code = p_error, ended_at = p_ended,
    result = CASE WHEN a.result IN ('sending', 'uncertain') THEN 'created' ELSE a.result END
  WHERE a.campaign = p_campaign AND a.contact_id = p_id AND a.attempt = p_attempt;
  IF v_late OR p_next IS NULL THEN
    UPDATE ivr_contacts c SET state = 'done', outcome = p_status, runner_id = NULL, live_since = NULL WHERE c.campaign = p_campaign AND c.id = p_id;
  ELSE
    UPDATE ivr_contacts c SET state = 'pending', outcome = NULL, runner_id = NULL, live_since = NULL, due_at = p_next WHERE c.campaign = p_campaign AND c.id = p_id;
  END IF;
  RETURN QUERY SELECT 'applied'::text, v_placed;
END
$fn$;
`

/** The database was set up by a newer ivr: this one must not guess at its tables. */
export class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`the campaign tables are from a newer ivr (schema ${version}; this one knows ${SCHEMA_VERSION})`)
  }
}

/**
 * Creates the tables if they are missing. Two processes starting on a fresh database at once would
 * race on CREATE TABLE IF NOT EXISTS, so the DDL runs under a transaction-scoped advisory lock.
 */
export async function ensureSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    const found = await client.query<{present: boolean}>("SELECT to_regclass('ivr_schema') IS NOT NULL AS present")
    if (found.rows[0]?.present) {
      const version = (await client.query<{version: number}>('SELECT max(version) AS version FROM ivr_schema')).rows[0]?.version
      if (version === SCHEMA_VERSION) return
      if (version !== null && version !== undefined && version > SCHEMA_VERSION) throw new NewerSchemaError(version)
    }
    await client.query('BEGIN')
    await client.query("SELECT pg_advisory_xact_lock(hashtext('ivr campaign schema'))")
    await client.query(DDL)
    const {rowCount} = await client.query('UPDATE ivr_schema SET version = $1', [SCHEMA_VERSION])
    if (!rowCount) await client.query('INSERT INTO ivr_schema (version) VALUES ($1)', [SCHEMA_VERSION])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
