// Three `campaign run` processes share one campaign kept in the suite's PostgreSQL, against one
// sandbox: every contact is dialed exactly once, counted where the requests arrive; one runner is
// killed with -9 while its request is under way, and the other two finish the rest.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import pg from 'pg'

import {PostgresCampaignStore} from '../../../src/lib/campaign/postgres/journal.js'
import {followStore} from '../../../src/lib/campaign/serving.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {freshDatabase} from '../../helpers/postgres.js'
import {spawnIvr, until, type CliProcess} from '../../helpers/cli-process.js'
import {freePort} from '../../helpers/net.js'
import {runIvr} from '../../helpers/run.js'
import {announceSandbox, sandboxProxy} from '../../helpers/sandbox.js'

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms)))
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

describe('campaign run: three runners on one campaign in PostgreSQL', function () {
  this.timeout(180_000)
  const procs: CliProcess[] = []
  let sandbox: RunningSandbox | undefined
  let proxy: Awaited<ReturnType<typeof sandboxProxy>> | undefined
  let dir: string

  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
    await proxy?.close()
    await sandbox?.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('dials every contact exactly once; a runner killed mid-call leaves that contact uncertain after its lease, the others finish the rest', async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-runners-'))
    const db = await freshDatabase()
    // Every process of this "fleet" shares the database through the environment (no password in argv)
    // and finds the one sandbox through the data folder.
    const env = {
      IVR_DATABASE_URL: db, IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache'),
    }
    const numbers = Array.from({length: 45}, (_, i) => `+65812${String(30_000 + i)}`)
    const held = numbers[20]
    sandbox = await startSandbox({host: '127.0.0.1', port: 0})
    proxy = await sandboxProxy(sandbox.baseUrl, {hold: held})
    await announceSandbox(env.IVR_DATA_DIR, sandbox, proxy.url)
    await fs.writeFile(path.join(dir, 'contacts.csv'), `phone,name\n${numbers.map((n, i) => `${n},Person ${i}`).join('\n')}\n`)
    await fs.writeFile(path.join(dir, 'flow.json'), JSON.stringify({callflow: [
      {action: 'makeCall', params: {source: '{{from}}', destination: '{{to}}'}},
      {action: 'say', params: {text: 'Hello {{name}}, this is a reminder.', voiceProfile: 'en-US-BenjaminRUS'}},
      {action: 'hangup'},
    ]}))

    const create = await runIvr(['campaign', 'create', 'fleet', '--contacts', path.join(dir, 'contacts.csv'), '--callflow', path.join(dir, 'flow.json'),
      '--from', '+6531591234', '--rate', '15', '--max-live', '12', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)

    // One receiver for the whole fleet; the runners read what it stores.
    const port = await freePort()
    const tail = spawnIvr(['sessions', 'tail', '--register', '--sandbox', '--port', String(port), '--public-url', `http://127.0.0.1:${port}`], env)
    procs.push(tail)
    await until('the receiver to listen', 60_000, () => /Listening on/.test(tail.stderr()) || tail.child.exitCode !== null)
    expect(tail.child.exitCode, tail.stderr()).to.equal(null)

    const runners = [1, 2, 3].map(() => spawnIvr(['campaign', 'run', 'fleet', '--sandbox', '--no-receive', '--json'], env))
    procs.push(...runners)

    // The held request arrives: kill -9 the runner that sent it (its pid is in the runner table).
    await within(90_000, 'the held request', proxy.heldArrived)
    const client = new pg.Client({connectionString: db})
    await client.connect()
    let victimPid: number
    try {
      const {rows} = await client.query<{pid: number}>(
        `SELECT r.pid FROM ivr_contacts c JOIN ivr_runners r ON r.campaign = c.campaign AND r.runner_id = c.runner_id
         WHERE c.campaign = 'fleet' AND c.number = $1 AND c.state = 'dialing'`, [held],
      )
      expect(rows, 'the held contact is dialing, by one runner').to.have.length(1)
      victimPid = rows[0].pid
    } finally {
      await client.end()
    }
    const victim = runners.find((r) => r.child.pid === victimPid)
    expect(victim, 'the pid belongs to one of the three runners').to.not.equal(undefined)
    victim!.child.kill('SIGKILL')
    await victim!.exited
    const survivors = runners.filter((r) => r !== victim)
    // What the passing of its 15 s lease does to a runner that died, without waiting it out: its lease
    // ends now (the lease's length, and a live runner keeping its own, are test/lib/campaign/postgres-journal.test.ts's).
    const admin = new pg.Client({connectionString: db})
    await admin.connect()
    try {
      await admin.query("UPDATE ivr_runners SET lease_until = now() - interval '1 second' WHERE campaign = 'fleet' AND pid = $1", [victimPid])
    } finally {
      await admin.end()
    }

    // The other two finish: the rest dialed, the dead runner's call uncertain once its lease ran out.
    const codes = await within(120_000, 'the two other runners to finish', Promise.all(survivors.map((r) => r.exited)))
    expect(codes, survivors.map((r) => `${r.stderr()}\n${r.stdout().split('\n').slice(-6).join('\n')}`).join('\n---\n')).to.deep.equal([0, 0])
    for (const r of survivors) expect(r.stdout()).to.match(/"type":"end","reason":"finished"/)

    // Every destination exactly once, where the requests arrived.
    expect([...proxy.perDestination().keys()].sort()).to.deep.equal([...numbers].sort())
    expect([...proxy.perDestination().entries()].filter(([, n]) => n !== 1)).to.deep.equal([])

    const store = await PostgresCampaignStore.open(db)
    try {
      const journal = await store.open('fleet')
      const byNumber = new Map<string, string>()
      for await (const r of journal.results()) byNumber.set(r.contact.number, r.state)
      expect(byNumber.get(held)).to.equal('uncertain')
      const others = [...byNumber.entries()].filter(([n]) => n !== held)
      expect(others.filter(([, state]) => state !== 'done'), 'every other contact is done').to.deep.equal([])
      expect(await journal.uncertain()).to.have.length(1)
    } finally {
      await store.close()
    }
    tail.child.kill('SIGINT')
    await within(30_000, 'the receiver to stop', tail.exited)
  })
})

describe('campaign/serving: following the store a `sessions tail` fills (--no-receive)', () => {
  it('stops when asked, so a run with --no-receive ends (it exited 13, an unsettled wait, after "finished")', async function () {
    this.timeout(20_000)
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-follow-'))
    try {
      const file = path.join(dir, 'sessions.ndjson')
      await fs.writeFile(file, '')
      // Stopped while it sleeps between two looks at the file (a look at an empty file takes no time).
      const follower = followStore(file, () => {}, 1000)
      await new Promise((resolve) => setTimeout(resolve, 300))
      await within(5000, 'stop()', follower.stop())
    } finally {
      await fs.rm(dir, {recursive: true, force: true})
    }
  })
})
