// The lease against a real sandbox (through the real client): one lease per account and webhook
// type, also when two servers register at the same moment (issue 11, defect 2).
import {expect} from 'chai'
import {spawn, type ChildProcess} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import type {IvrError} from '../../../src/lib/errors.js'
import {acquireLease, leaseFileFor, listLeases, readLease, restoreLease, type HeldLease} from '../../../src/lib/lease/lease.js'
import {startServing} from '../../../src/lib/lease/serving.js'
import {startSandbox} from '../../../src/lib/sandbox/server.js'

describe('lease: a crash-safe temporary webhook registration', function () {
  this.timeout(30_000)
  let dir: string
  let sandbox: Awaited<ReturnType<typeof startSandbox>>
  let api: VoiceApi
  // Live processes whose pids stand for separate servers racing for the webhook.
  let racers: ChildProcess[]
  before(async () => {
    sandbox = await startSandbox({host: '127.0.0.1', port: 0})
    api = new VoiceApi({baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, subAccountId: sandbox.subAccountId, userAgent: 'ivr-test'})
    racers = [spawn('sleep', ['60'], {stdio: 'ignore'}), spawn('sleep', ['60'], {stdio: 'ignore'})]
  })
  after(async () => {
    for (const r of racers) r.kill('SIGKILL')
    await sandbox.close()
  })
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-lease-'))
  })
  afterEach(async () => {
    await fs.rm(dir, {recursive: true, force: true})
  })
  const vssUrl = async () => (await api.listWebhooks()).webhooks.find((w) => w.type === 'VSS')?.url
  const base = () => ({configDir: dir, account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, type: 'VSS' as const, force: true})

  it('two registrations at the same moment: exactly one wins, and releasing it puts the original back, every time', async () => {
    await api.createWebhook({type: 'VSS', url: 'https://original.example.com/vss', enabled: true})
    const rounds: string[] = []
    for (let round = 0; round < 15; round++) {
      const tries = await Promise.all(racers.map((r) => acquireLease(api, {...base(), url: `http://127.0.0.1:${r.pid}/vss`, pid: r.pid!}).then((held) => ({held}), (error) => ({error}))))
      const won = tries.filter((t): t is {held: HeldLease} => 'held' in t)
      const lost = tries.filter((t): t is {error: IvrError} => 'error' in t)
      if (won.length !== 1) rounds.push(`round ${round}: ${won.length} leases`)
      for (const t of lost) expect(t.error.exitCode, t.error.message).to.equal(2)
      expect((await listLeases(dir, 0)).length).to.equal(1)
      for (const t of won) await t.held.release()
      expect(await vssUrl(), `round ${round}`).to.equal('https://original.example.com/vss')
    }
    expect(rounds).to.deep.equal([])
    await api.deleteWebhook('VSS')
  })

  it('is refused while another live server holds it, and after a crash until `webhooks restore` undoes it', async () => {
    const held = await acquireLease(api, {...base(), url: 'http://127.0.0.1:1/vss', pid: racers[0].pid!})
    const busy = await acquireLease(api, {...base(), url: 'http://127.0.0.1:2/vss', pid: process.pid}).catch((e) => e)
    expect(busy.message).to.contain(`process (pid ${racers[0].pid})`)
    // A lease whose process is gone: left by a crash.
    const file = leaseFileFor(dir, sandbox.subAccountId, 'VSS')
    await fs.writeFile(file, JSON.stringify({...(await readLease(file)), pid: 2 ** 22 + 12_345}))
    const stale = await acquireLease(api, {...base(), url: 'http://127.0.0.1:2/vss', pid: process.pid}).catch((e) => e)
    expect(stale.message).to.contain('never undone')
    expect(stale.suggestions.join(' ')).to.contain('ivr webhooks restore')
    expect((await restoreLease(api, (await readLease(file))!, file)).action).to.equal('deleted')
    expect(await vssUrl()).to.equal(undefined)
    expect(held.lease.previous).to.equal(null)
  })

  it('startServing: a server that cannot register is closed before the error is passed on', async () => {
    await api.createWebhook({type: 'VSS', url: 'https://original.example.com/vss', enabled: true})
    let closed = false
    const refused = await startServing({
      start: async () => ({url: 'http://0.0.0.0:5/vss', close: async () => { closed = true }}),
      lease: {...base(), force: false, api, pid: process.pid},
    }).catch((e) => e)
    expect(refused.message).to.contain('already has a VSS webhook')
    expect(closed).to.equal(true)
    // With force: the wildcard address is registered as loopback, and stop() puts the original back.
    const serving = await startServing({start: async () => ({url: 'http://0.0.0.0:5/vss', close: async () => {}}), lease: {...base(), api, pid: process.pid}})
    expect(await vssUrl()).to.equal('http://127.0.0.1:5/vss')
    expect((await serving.stop()).restored?.action).to.equal('restored')
    expect(await vssUrl()).to.equal('https://original.example.com/vss')
    await api.deleteWebhook('VSS')
  })
})
