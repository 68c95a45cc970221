// kill -9 at random moments, run again each time: no destination dialed twice, none lost (issue 15, item 4).
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {LocalCampaignStore} from '../../../src/lib/campaign/local-journal.js'
import {listSessions} from '../../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {projectRoot, runIvr} from '../../helpers/run.js'
import {announceSandbox} from '../../helpers/sandbox.js'

/** The built CLI (dist) as a child process: kill -9 must hit a real process. */
function startRun(name: string, env: Record<string, string>): {exited: Promise<number | null>; kill(): void; output(): string} {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), 'campaign', 'run', name, '--sandbox', '--json'], {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  return {
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    kill: () => child.kill('SIGKILL'),
    output: () => out,
  }
}

describe('campaign run under kill -9, again and again', function () {
  this.timeout(180_000)
  let dir: string
  let sb: RunningSandbox
  let env: Record<string, string>

  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-camp-kill-'))
    // The sandbox outlives every runner: it is the platform, which keeps what it was sent.
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    const data = path.join(dir, 'data')
    await announceSandbox(data, sb)
    env = {IVR_DATA_DIR: data, IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache')}
  })
  after(async () => {
    await sb.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('dials every destination at most once (retries aside), and every contact ends done or uncertain', async () => {
    const numbers = Array.from({length: 150}, (_, i) => `+659${String(1_000_000 + i * 7)}`)
    // Every tenth is busy: the policy asks for one retry of those, and only those.
    const busy = new Set(numbers.filter((_, i) => i % 10 === 0))
    for (const n of busy) sb.engine.setOutcome(sb.subAccountId, n, 'busy')
    const contacts = path.join(dir, 'contacts.csv')
    await fs.writeFile(contacts, `phone,name\n${numbers.map((n, i) => `${n},Person ${i}`).join('\n')}\n`)
    const created = await runIvr(['campaign', 'create', 'k', '--contacts', contacts, '--menu', path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml'),
      '--from', '+6531591234', '--rate', '60', '--max-live', '15', '--retry', 'busy:1:300ms', '--live-timeout', '3s'], {env})
    expect(created.exitCode, created.stderr).to.equal(0)

    // Kill at random moments; stop killing once a run gets through.
    let kills = 0
    // A run that ends before its kill (few contacts left) is the run to the end: the campaign is then finished.
    let last: ReturnType<typeof startRun> | undefined
    for (let round = 0; round < 12; round++) {
      const run = startRun('k', env)
      const killAt = 400 + Math.floor(Math.random() * 1400)
      const winner = await Promise.race([run.exited.then(() => 'exited' as const), new Promise<'kill'>((r) => setTimeout(() => r('kill'), killAt))])
      if (winner === 'exited') {
        last = run
        break
      }
      run.kill()
      await run.exited
      kills++
    }
    // Else one run to the end (a killed run's live calls wait out the live timeout).
    last ??= startRun('k', env)
    const code = await last.exited
    // A run killed just after its last call was settled leaves nothing to call: the next run says so (exit 2).
    const finishedEarlier = code === 2 && last.output().includes('"CAMPAIGN_FINISHED"')
    expect(code === 0 || finishedEarlier, last.output().slice(-2000)).to.equal(true)
    expect(kills).to.be.greaterThan(0)

    // The platform's side: sessions per destination.
    const sessions = new Map<string, number>()
    for (const s of await listSessions(sb)) sessions.set(s.destination, (sessions.get(s.destination) ?? 0) + 1)
    for (const [n, count] of sessions) expect(count, n).to.be.at.most(busy.has(n) ? 2 : 1)

    // The journal's side: every contact accounted for.
    const store = new LocalCampaignStore(env.IVR_DATA_DIR)
    const j = await store.open('k')
    try {
      const states = new Map<string, number>()
      for await (const r of j.results()) {
        states.set(r.state, (states.get(r.state) ?? 0) + 1)
        const placed = sessions.get(r.contact.number) ?? 0
        if (r.state === 'done' && r.outcome !== 'NO_SUMMARY' && r.outcome !== 'REJECTED') expect(placed, `${r.contact.number} ${r.outcome}`).to.be.at.least(1)
        if (r.outcome === 'COMPLETED') expect(placed, r.contact.number).to.equal(1)
        // A contact never called has no session; one called has its attempts written.
        if (placed > 0) expect(r.attempts.length, r.contact.number).to.be.at.least(1)
      }
      expect([...states.keys()].every((s) => s === 'done' || s === 'uncertain'), JSON.stringify([...states])).to.equal(true)
      expect([...states.values()].reduce((a, b) => a + b, 0)).to.equal(150)
    } finally {
      await j.close()
    }
  })
})
