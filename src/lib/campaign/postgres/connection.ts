import type pg from 'pg'

import {credentialsError, IvrError, networkError, notFound, usageError} from '../../errors.js'
import {safeText} from '../../render/safe.js'

/** A PostgreSQL connection string, with what may be shown of it (never the password). */
export interface DatabaseTarget {
  url: string
  /** postgres://user:****@host:port/db: for messages and --debug. */
  display: string
  password?: string
}

const WHERE_IT_COMES_FROM = 'The database comes from --db or IVR_DATABASE_URL (postgres://user:password@host:5432/dbname).'

/** Reads a connection string; anything but a postgres:// URL is a usage error (exit 2). */
export function databaseTarget(raw: string): DatabaseTarget {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // The raw text may hold a password: never echo it.
    throw usageError('The database connection string is not a URL.', [WHERE_IT_COMES_FROM])
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw usageError(`The database connection string must start with postgres:// (not ${safeText(url.protocol)}//).`, [WHERE_IT_COMES_FROM])
  }
  if (!url.hostname) throw usageError('The database connection string names no host.', [WHERE_IT_COMES_FROM])
  const password = url.password ? decodeURIComponent(url.password) : (url.searchParams.get('password') ?? undefined)
  const shown = new URL(raw)
  if (shown.password) shown.password = '****'
  if (shown.searchParams.has('password')) shown.searchParams.set('password', '****')
  return {url: raw, display: safeText(shown.toString()), password}
}

/** Removes the password from any text headed for a terminal. */
export function scrubPassword(text: string, target: Pick<DatabaseTarget, 'password' | 'url'>): string {
  let out = text.split(target.url).join('<connection string>')
  if (target.password) {
    out = out.split(target.password).join('****')
    const encoded = encodeURIComponent(target.password)
    if (encoded !== target.password) out = out.split(encoded).join('****')
  }
  return out
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE'])

/**
 * A failure talking to the campaign database as a documented exit code: unreachable or dropped is a
 * network failure (6), a refused login is a credentials failure (3), a missing database is not found (5).
 * Messages name the server (without its password) and say what to do.
 */
export function databaseFailure(error: unknown, target: DatabaseTarget, doing = 'reach'): IvrError {
  if (error instanceof IvrError) return error
  const e = error as {code?: string; message?: string}
  const where = target.display
  const detail = scrubPassword(safeText(e?.message ?? String(error)), target)
  const sqlState = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined
  if (sqlState === '28P01' || sqlState === '28000') {
    return credentialsError(`The campaign database at ${where} refused the login: ${detail}.`, [
      'Check the user and password in --db or IVR_DATABASE_URL.',
    ], 'DATABASE_LOGIN')
  }
  if (sqlState === '3D000') {
    return notFound(`The campaign database at ${where} does not exist: ${detail}.`, [
      'Create it first (e.g. `createdb NAME`), or name an existing database in the connection string.',
    ], 'DATABASE_NOT_FOUND')
  }
  if (sqlState === '42501') {
    return credentialsError(`The campaign database at ${where} refused an operation: ${detail}.`, [
      'The user needs to create tables and write rows in this database (or run `ivr campaign create` once as its owner).',
    ], 'DATABASE_PERMISSION')
  }
  if (sqlState === '57P01' || sqlState === '57P02' || sqlState === '57P03' || sqlState?.startsWith('08')
    || (e?.code && NETWORK_CODES.has(e.code)) || /timeout expired|Connection terminated|connect ETIMEDOUT/i.test(e?.message ?? '')) {
    return networkError(`Cannot ${doing} the campaign database at ${where}: ${detail}.`, [
      'Check that the PostgreSQL server runs and accepts connections from this machine, and the host and port in --db or IVR_DATABASE_URL.',
    ], 'DATABASE_UNREACHABLE')
  }
  return new IvrError(`The campaign database at ${where} failed: ${detail}.`, {
    code: 'DATABASE_ERROR', exitCode: 1, cause: error,
    suggestions: ['Run again with --debug for details, and report it if it persists.'],
  })
}

export interface OpenOptions {
  /** How long to wait for the server to accept a connection (default 10 s). */
  connectTimeoutMs?: number
  /** Connections held at most (default 4: one runner claims, records results and renews its lease at once). */
  poolSize?: number
  /** A line per connection event, for --debug; never carries the password. */
  debug?: (line: string) => void
}

/**
 * Opens a pool on the campaign database and proves it answers (SELECT 1) before returning, so an
 * unreachable database fails here, before anything is dialed. pg is imported lazily: commands that
 * do not use PostgreSQL never load it.
 */
export async function openDatabase(target: DatabaseTarget, opts: OpenOptions = {}): Promise<pg.Pool> {
  const {default: pgModule} = await import('pg')
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000
  opts.debug?.(`postgres: connecting to ${target.display}`)
  const pool = new pgModule.Pool({
    connectionString: target.url,
    max: opts.poolSize ?? 4,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'ivr campaign',
  })
  // An idle connection that drops must not crash the process; the next query reports it.
  pool.on('error', (error) => opts.debug?.(`postgres: idle connection lost: ${scrubPassword(safeText(error.message), target)}`))
  try {
    const started = Date.now()
    await pool.query('SELECT 1')
    opts.debug?.(`postgres: connected to ${target.display} in ${Date.now() - started} ms`)
    return pool
  } catch (error) {
    await pool.end().catch(() => {})
    throw databaseFailure(error, target)
  }
}
