// What the runner-takeover tests share (one file per case, so mocha's workers run the two
// real-time cases side by side): two runners of one campaign (kept in PostgreSQL) on one machine
// share the first runner's listener (one VCA and one VSS URL per sub-account). When that runner is
// killed with -9 mid-run, the other takes its place: its own listener, the leases taken over, the
// webhooks pointed at it (under --sandbox its own URL; with a real account the same --public-url);
// the calls still live get their call actions answered and their summaries recorded, and the run
// finishes long before the live timeout, nobody rung twice.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import pg from 'pg'

import type {ContactResult} from '../../src/lib/campaign/journal.js'
import {PostgresCampaignStore} from '../../src/lib/campaign/postgres/journal.js'
import {listSessions} from '../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../src/lib/sandbox/server.js'
import {freshDatabase} from './postgres.js'
import {spawnIvr, until, type CliProcess} from './cli-process.js'
import {announceSandbox} from './sandbox.js'

// A long greeting: the sandbox plays calls in real time, and each call's call action (after ring,
// greeting and key press, about 20 s in) and summary (a second or two later) come well after the
// kill and the takeover, also for the calls the killed runner placed: nothing reaches it before the
// kill and nothing is due while no listener runs, so every outcome can be asked for. (What is due
// in such a gap is merely late: the live timeout, or `campaign reconcile`.)
const GREETING = 'Hello, this is Greenfield Clinic with a reminder of your appointment tomorrow at nine. '
  + 'Please bring your insurance card. To confirm it, press 1. To talk to someone at the front desk, press 2. To cancel it, press 3.'
export const MENU = `name: Long reminder
entry: reminder
defaults:
  voice: en-US-Neural2-C
  capture: {minDigits: 1, maxDigits: 1, digitTimeout: 8000, overallTimeout: 8000, tries: 1, completeOnHash: false}
nodes:
  reminder:
    say: "${GREETING}"
    choices:
      "1": {say: "Thank you, confirmed.", hangup: true}
      "2": {say: "Putting you through.", transfer: "+6562225678"}
      "3": {say: "Cancelled. Goodbye.", hangup: true}
    noInput: {say: "Goodbye.", hangup: true}
`

async function within<T>(ms: number, what: () => string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not within ${ms / 1000} s: ${what()}`)), ms)))
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export class TakeoverFixture {
  readonly procs: CliProcess[] = []
  sandbox: RunningSandbox | undefined
  dir = ''

  /** Kills what a case left running, closes its sandbox, removes its folder. */
  async cleanUp(): Promise<void> {
    for (const p of this.procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
    await this.sandbox?.close()
    if (this.dir) await fs.rm(this.dir, {recursive: true, force: true})
  }

  /** A campaign of `numbers` on a fresh database; the sandbox found through the data folder. */
  async setUp(options: Parameters<typeof startSandbox>[0], numbers: string[]) {
    this.dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-takeover-'))
    const db = await freshDatabase()
    const env: Record<string, string> = {IVR_DATABASE_URL: db, IVR_DATA_DIR: path.join(this.dir, 'data'), IVR_CONFIG_DIR: path.join(this.dir, 'config'), IVR_CACHE_DIR: path.join(this.dir, 'cache')}
    this.sandbox = await startSandbox({host: '127.0.0.1', port: 0, ...options})
    await announceSandbox(env.IVR_DATA_DIR, this.sandbox)
    await fs.writeFile(path.join(this.dir, 'contacts.csv'), `phone,name\n${numbers.map((n, i) => `${n},Person ${i}`).join('\n')}\n`)
    return {db, env}
  }

  /**
   * Starts two runners, the second once the first listens, kills the first with -9 once the second
   * uses its listener, and returns what the dead one had under way: a request sent whose answer it
   * never wrote (its contact may end uncertain, as ever).
   */
  async killTheListener(db: string, runArgs: string[], env: Record<string, string>) {
    const first = spawnIvr(runArgs, env)
    this.procs.push(first)
    await until('the first runner to listen', 60_000, () => /(menu|summaries) at http/.test(first.stderr()) || first.child.exitCode !== null)
    const second = spawnIvr(runArgs, env)
    this.procs.push(second)
    await until('the second runner to use the first one\'s listener', 60_000, () => /served by runner pid/.test(second.stderr()) || second.child.exitCode !== null)
    expect(second.stderr(), second.stdout()).to.include(`summaries served by runner pid ${first.child.pid} of this campaign`)
    first.child.kill('SIGKILL')
    await first.exited
    const client = new pg.Client({connectionString: db})
    await client.connect()
    try {
      const {rows} = await client.query<{number: string}>(
        `SELECT c.number FROM ivr_contacts c JOIN ivr_runners r ON r.campaign = c.campaign AND r.runner_id = c.runner_id
         WHERE c.campaign = 'carry' AND r.pid = $1 AND c.state = 'dialing'`, [first.child.pid],
      )
      return {first, second, inFlight: rows.map((r) => r.number)}
    } finally {
      await client.end()
    }
  }

  /** The survivor finishes, says it took the dead runner's place; nobody was rung twice; the results, but for the dead runner's requests under way. */
  async finished(db: string, first: CliProcess, second: CliProcess, numbers: string[], inFlight: string[]) {
    // Bounded far below the live timeout: only summaries recorded let it finish.
    expect(await within(150_000, () => `the other runner to finish\n${second.stderr()}\n${second.stdout().split('\n').slice(-4).join('\n')}`, second.exited), second.stderr()).to.equal(0)
    const events = second.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(events.filter((e) => e.type === 'listener').map(({stoppedPid, tookOver}) => ({stoppedPid, tookOver}))).to.deep.equal([{stoppedPid: first.child.pid, tookOver: true}])
    expect(events.at(-1)).to.include({type: 'end', reason: 'finished'})
    // Nobody rung twice, on the platform's side.
    const perDestination = new Map<string, number>()
    for (const s of await listSessions(this.sandbox!)) perDestination.set(s.destination, (perDestination.get(s.destination) ?? 0) + 1)
    expect(numbers.filter((n) => (perDestination.get(n) ?? 0) > 1), 'called more than once').to.deep.equal([])
    const store = await PostgresCampaignStore.open(db)
    try {
      const rows = []
      for await (const r of (await store.open('carry')).results()) rows.push(r)
      // The dead runner's requests under way follow the usual rules: uncertain, or settled by a summary that came.
      expect(rows.filter((r) => inFlight.includes(r.contact.number) && !['uncertain', 'done'].includes(r.state)).map((r) => r.contact.number)).to.deep.equal([])
      return rows.filter((r) => !inFlight.includes(r.contact.number))
    } finally {
      await store.close()
    }
  }

  /** The contacts whose call was not answered with 1 pressed and its summary recorded (outcomes left live, or timed out). */
  answered(rows: ContactResult[]): string[] {
    return rows.filter((r) => r.outcome !== 'COMPLETED' || !r.attempts.at(-1)?.steps?.some((s) => s.taken === '1')).map((r) => `${r.contact.number} ${r.state} ${r.outcome}`)
  }
}
