// Several runners of one MENU campaign (kept in PostgreSQL) on one machine: the platform has one
// VCA and one VSS URL per sub-account, so the first runner listens and a later runner of the same
// campaign uses its listener; a runner of another campaign is refused while it holds them.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {PostgresCampaignStore} from '../../../src/lib/campaign/postgres/journal.js'
import {listSessions} from '../../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {freshDatabase} from '../../helpers/postgres.js'
import {spawnIvr, until, type CliProcess} from '../../helpers/cli-process.js'
import {projectRoot, runIvr} from '../../helpers/run.js'
import {announceSandbox} from '../../helpers/sandbox.js'

const MENU = path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml')

describe('campaign run: two runners of one menu campaign on one machine', function () {
  this.timeout(180_000)
  const procs: CliProcess[] = []
  let sandbox: RunningSandbox | undefined
  let dir: string

  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
    await sandbox?.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  it("the later runner uses the first runner's listener: every contact called once, every answer's digits recorded; another campaign is refused", async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-menu-runners-'))
    const env = {IVR_DATABASE_URL: await freshDatabase(), IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache')}
    // Every callee answers and presses 1.
    sandbox = await startSandbox({host: '127.0.0.1', port: 0, population: {presses: {'1': 1}}})
    await announceSandbox(env.IVR_DATA_DIR, sandbox)
    const numbers = Array.from({length: 40}, (_, i) => `+65813${String(40_000 + i)}`)
    await fs.writeFile(path.join(dir, 'contacts.csv'), `phone,name\n${numbers.map((n, i) => `${n},Person ${i}`).join('\n')}\n`)
    for (const name of ['shared', 'other']) {
      const create = await runIvr(['campaign', 'create', name, '--contacts', path.join(dir, 'contacts.csv'), '--menu', MENU, '--from', '+6531591234', '--rate', '5', '--max-live', '10', '--sandbox'], {env})
      expect(create.exitCode, create.stderr).to.equal(0)
    }

    const first = spawnIvr(['campaign', 'run', 'shared', '--sandbox'], env)
    procs.push(first)
    await until('the first runner to listen', 60_000, () => /menu at http/.test(first.stderr()) || first.child.exitCode !== null)
    // Paused until the second runner joins (its start sets the campaign running again): on a loaded
    // machine the first runner could otherwise call all 40 before the second one is up.
    const paused = await runIvr(['campaign', 'pause', 'shared'], {env})
    expect(paused.exitCode, paused.stderr).to.equal(0)

    // Another campaign cannot have the sub-account's call actions while this one holds them: refused, nothing dialed.
    const other = spawnIvr(['campaign', 'run', 'other', '--sandbox'], env)
    expect(await other.exited, other.stderr()).to.equal(2)
    expect(other.stderr()).to.match(new RegExp(`pid ${first.child.pid}, campaign run shared .*holds the (VCA|VSS) webhook`))
    expect(other.stderr()).to.match(/one URL per webhook type/)

    const second = spawnIvr(['campaign', 'run', 'shared', '--sandbox'], env)
    procs.push(second)
    expect(await second.exited, second.stderr()).to.equal(0)
    expect(await first.exited, first.stderr()).to.equal(0)
    expect(second.stderr()).to.include(`call actions served by runner pid ${first.child.pid} of this campaign`)
    expect(second.stdout().match(/"type":"call"/g)?.length ?? 0, 'the second runner dialed too').to.be.greaterThan(0)

    // Every destination once, on the platform's side.
    const perDestination = new Map<string, number>()
    for (const s of await listSessions(sandbox)) perDestination.set(s.destination, (perDestination.get(s.destination) ?? 0) + 1)
    expect(numbers.filter((n) => perDestination.get(n) !== 1), 'called other than once').to.deep.equal([])
    // Whichever runner placed it, each call's menu step was answered and recorded.
    const store = await PostgresCampaignStore.open(env.IVR_DATABASE_URL)
    try {
      const journal = await store.open('shared')
      const rows = []
      for await (const r of journal.results()) rows.push(r)
      expect(rows.filter((r) => r.outcome !== 'COMPLETED' || !r.attempts.at(-1)?.steps?.some((s) => s.taken === '1')).map((r) => JSON.stringify(r))).to.deep.equal([])
      expect((await (await store.open('other')).counts()).attempts, 'the refused campaign dialed nobody').to.equal(0)
    } finally {
      await store.close()
    }
  })

  it('two runners started at the same moment: whichever loses the race for the listener uses the other\'s; both finish, every contact once', async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-menu-runners-'))
    const env = {IVR_DATABASE_URL: await freshDatabase(), IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache')}
    sandbox = await startSandbox({host: '127.0.0.1', port: 0, population: {presses: {'1': 1}}})
    await announceSandbox(env.IVR_DATA_DIR, sandbox)
    const numbers = Array.from({length: 16}, (_, i) => `+65813${String(50_000 + i)}`)
    await fs.writeFile(path.join(dir, 'contacts.csv'), `phone,name\n${numbers.map((n, i) => `${n},Person ${i}`).join('\n')}\n`)
    const create = await runIvr(['campaign', 'create', 'race', '--contacts', path.join(dir, 'contacts.csv'), '--menu', MENU, '--from', '+6531591234', '--rate', '8', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)
    const runners = [spawnIvr(['campaign', 'run', 'race', '--sandbox'], env), spawnIvr(['campaign', 'run', 'race', '--sandbox'], env)]
    procs.push(...runners)
    const codes = await Promise.all(runners.map((r) => r.exited))
    expect(codes, runners.map((r) => r.stderr()).join('\n---\n')).to.deep.equal([0, 0])
    expect(runners.filter((r) => /served by runner pid/.test(r.stderr())), 'one runner used the other\'s listener').to.have.length(1)
    const perDestination = new Map<string, number>()
    for (const s of await listSessions(sandbox)) perDestination.set(s.destination, (perDestination.get(s.destination) ?? 0) + 1)
    expect(numbers.filter((n) => perDestination.get(n) !== 1), 'called other than once').to.deep.equal([])
  })
})
