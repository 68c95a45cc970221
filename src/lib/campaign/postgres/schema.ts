import type pg from 'pg'

/**
 * The campaign tables. Several campaigns share one database; every row carries its campaign's name.
 * Times the runner decides (due, intent, created) are epoch ms from the runner's clock, as in the local
 * journal; leases are judged by the database's clock alone (now()), so runners on machines whose
 * clocks disagree still agree on who is alive.
 */
export const SCHEMA_VERSION = 1

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
CREATE INDEX IF NOT EXISTS ivr_contacts_due ON ivr_contacts (campaign, due_at, id) WHERE state = 'pending' AND claimed_by IS NULL;
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
CREATE INDEX IF NOT EXISTS ivr_attempts_at ON ivr_attempts (campaign, at);

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
    const {rowCount} = await client.query('SELECT 1 FROM ivr_schema')
    if (!rowCount) await client.query('INSERT INTO ivr_schema (version) VALUES ($1)', [SCHEMA_VERSION])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
