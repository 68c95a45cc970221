// What a campaign run listens to, when two runners of one menu campaign start at the same moment on
// one machine: the first may have claimed the session store but not yet leased VSS when the second
// looks; the second must then wait for it and use its listener, not try to open the store itself.
import {expect} from 'chai'
import {spawn, type ChildProcess} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {startServing, type ListenerEvent, type Serving, type ServingOptions} from '../../../src/lib/campaign/serving.js'
import {runEventPrinter} from '../../../src/lib/campaign/view.js'
import {leaseFileFor, readLease} from '../../../src/lib/lease/lease.js'
import {makeColors} from '../../../src/lib/render/colors.js'
import {loadMenuOrThrow} from '../../../src/lib/menu/files.js'
import {startSandbox} from '../../../src/lib/sandbox/server.js'
import {lockFileFor} from '../../../src/lib/sessions/lock.js'
import {projectRoot} from '../../helpers/run.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('campaign serving: two runners of one menu campaign set up at the same moment', function () {
  this.timeout(30_000)
  let dir: string
  let sandbox: Awaited<ReturnType<typeof startSandbox>>
  let api: VoiceApi
  // Live processes whose pids stand for the two runners.
  let runners: ChildProcess[]
  const started: Serving[] = []
  before(async () => {
    sandbox = await startSandbox({host: '127.0.0.1', port: 0})
    api = new VoiceApi({baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, subAccountId: sandbox.subAccountId, userAgent: 'ivr-test'})
    runners = [spawn('sleep', ['60'], {stdio: 'ignore'}), spawn('sleep', ['60'], {stdio: 'ignore'})]
  })
  after(async () => {
    for (const r of runners) r.kill('SIGKILL')
    await sandbox.close()
  })
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-serving-'))
  })
  afterEach(async () => {
    for (const s of started.splice(0).reverse()) await s.stop()
    await fs.rm(dir, {recursive: true, force: true})
  })

  const storeFile = () => path.join(dir, 'sessions.ndjson')
  const storeClaimed = () => fs.access(lockFileFor(storeFile())).then(() => true, () => false)

  // The first runner is held once it has claimed the store, before it leases VSS, until `open()`.
  function gatedApi(): {api: VoiceApi; open: () => void} {
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const gated = Object.create(api) as VoiceApi
    gated.listWebhooks = async () => {
      if (await storeClaimed()) await gate
      return api.listWebhooks()
    }
    return {api: gated, open}
  }

  async function options(pid: number, over: Partial<ServingOptions> = {}): Promise<ServingOptions> {
    const {menu} = await loadMenuOrThrow(path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml'))
    return {
      api, configDir: path.join(dir, 'config'), account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, storeFile: storeFile(),
      menu, onSummary() {}, onStep() {}, warn() {}, sandbox: true, host: '127.0.0.1', port: 0, pid, campaign: 'race (test)', ...over,
    }
  }

  async function untilStoreClaimed() {
    while (!(await storeClaimed())) await sleep(10)
  }

  it('the second runner, arriving while the first holds the store but not yet its VSS lease, uses the first runner\'s listener', async () => {
    const [a, b] = runners.map((r) => r.pid!)
    const gate = gatedApi()
    const first = startServing(await options(a, {api: gate.api}))
    await untilStoreClaimed()
    const second = startServing(await options(b)).then((s) => ({s}), (error) => ({error}))
    // Let the second runner look while the first is held; then let the first finish.
    await Promise.race([second, sleep(500)])
    gate.open()
    const one = await first
    started.push(one)
    const two = await second
    if ('error' in two) throw two.error
    started.push(two.s)
    expect(one.describe.join('\n')).to.match(/menu at http/).and.match(/summaries at http/)
    expect(two.s.describe).to.deep.equal([
      `call actions served by runner pid ${a} of this campaign`,
      `summaries served by runner pid ${a} of this campaign`,
    ])
  })

  it('a runner waiting for another that never finishes setting up gives up with a clear message (exit 2)', async () => {
    const [a, b] = runners.map((r) => r.pid!)
    const gate = gatedApi()
    const first = startServing(await options(a, {api: gate.api}))
    await untilStoreClaimed()
    const error = await startServing(await options(b, {setupWaitMs: 300})).then(() => undefined, (e) => e)
    gate.open()
    started.push(await first)
    expect(error?.message).to.equal(`Another run (pid ${a}) was still setting up its listener for ${sandbox.subAccountId} after 0.3 s; gave up waiting for it.`)
    expect(error.exitCode).to.equal(2)
  })
})

describe('campaign serving: a runner using another runner\'s listener carries on when that runner is gone', function () {
  this.timeout(30_000)
  let dir: string
  let sandbox: Awaited<ReturnType<typeof startSandbox>>
  let api: VoiceApi
  let runners: ChildProcess[] = []
  const started: Serving[] = []
  before(async () => {
    sandbox = await startSandbox({host: '127.0.0.1', port: 0})
    api = new VoiceApi({baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, subAccountId: sandbox.subAccountId, userAgent: 'ivr-test'})
  })
  after(async () => {
    await sandbox.close()
  })
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-takeover-'))
    // Live processes whose pids stand for the runners; killing one stands for a kill -9 of that runner.
    runners = [0, 1, 2].map(() => spawn('sleep', ['60'], {stdio: 'ignore'}))
    for (const type of ['VCA', 'VSS'] as const) await api.createWebhook({type, url: `https://before.example/${type.toLowerCase()}`, enabled: true})
  })
  afterEach(async () => {
    for (const s of started.splice(0).reverse()) await s.stop()
    for (const r of runners) r.kill('SIGKILL')
    await fs.rm(dir, {recursive: true, force: true})
  })

  const kill = async (r: ChildProcess) => {
    const gone = new Promise((resolve) => r.once('exit', resolve))
    r.kill('SIGKILL')
    await gone
  }

  async function runner(pid: number, events: ListenerEvent[] = [], summaries: Array<string | undefined> = [], watchMs = 100): Promise<Serving> {
    const {menu} = await loadMenuOrThrow(path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml'))
    const s = await startServing({
      api, configDir: path.join(dir, 'config'), account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, storeFile: path.join(dir, 'sessions.ndjson'),
      menu, onSummary: (x) => summaries.push(x.sessionId), onStep() {}, warn() {}, sandbox: true, host: '127.0.0.1', port: 0, pid, campaign: 'carry-on (test)',
      watchMs, onListener: (ev) => events.push(ev),
    })
    started.push(s)
    return s
  }

  async function until(what: string, check: () => boolean | Promise<boolean>) {
    const end = Date.now() + 15_000
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`${what}: not within 15 s`)
      await sleep(50)
    }
  }

  const registered = async () => Object.fromEntries(((await api.listWebhooks()).webhooks ?? []).map((w) => [String(w.type).toUpperCase(), w.url]))

  it('the first runner killed: the other takes over its leases, the webhooks point at its own listener, summaries reach it; on stop what was there before is put back', async () => {
    const [a, b] = runners
    await runner(a.pid!)
    const events: ListenerEvent[] = []
    const summaries: Array<string | undefined> = []
    const second = await runner(b.pid!, events, summaries)
    expect(second.describe).to.deep.equal([`call actions served by runner pid ${a.pid} of this campaign`, `summaries served by runner pid ${a.pid} of this campaign`])
    await kill(a)
    await until('the takeover', () => events.length > 0)
    expect(events).to.have.length(1)
    expect(events[0]).to.include({type: 'listener', stoppedPid: a.pid, tookOver: true})
    const menuUrl = events[0].now.find((w) => w.startsWith('menu at '))?.slice('menu at '.length)
    const summaryUrl = events[0].now.find((w) => w.startsWith('summaries at '))?.slice('summaries at '.length)
    expect(await registered()).to.deep.equal({VCA: menuUrl, VSS: summaryUrl})
    for (const type of ['VCA', 'VSS'] as const) expect((await readLease(leaseFileFor(path.join(dir, 'config'), sandbox.subAccountId, type)))?.pid).to.equal(b.pid)

    const call = await api.sendCallflow({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}}, {action: 'hangup'}]})
    await until('the summary at the new listener', () => summaries.includes(call.sessionId!))

    await second.stop()
    started.splice(started.indexOf(second), 1)
    expect(await registered()).to.deep.equal({VCA: 'https://before.example/vca', VSS: 'https://before.example/vss'})
  })

  it('the first runner killed with two others using its listener: exactly one takes over, the other uses its listener', async () => {
    const [a, b, c] = runners
    await runner(a.pid!)
    const events = new Map<number, ListenerEvent[]>([[b.pid!, []], [c.pid!, []]])
    await runner(b.pid!, events.get(b.pid!))
    await runner(c.pid!, events.get(c.pid!))
    await kill(a)
    await until('both to carry on', () => [...events.values()].every((e) => e.length > 0))
    const [took, other] = [...events.entries()].sort(([, x], [, y]) => Number(y[0].tookOver) - Number(x[0].tookOver))
    expect([took[1], other[1]].map((e) => e.map((x) => x.tookOver))).to.deep.equal([[true], [false]])
    expect(other[1][0].now).to.deep.equal([`call actions served by runner pid ${took[0]} of this campaign`, `summaries served by runner pid ${took[0]} of this campaign`])
    const urls = await registered()
    expect(took[1][0].now).to.deep.equal([`menu at ${urls.VCA}`, `summaries at ${urls.VSS}`])
  })

  it('a real account with no --public-url: the other runner says it cannot take the first one\'s place, once, and registers nothing', async () => {
    const [a, b] = runners
    await runner(a.pid!)
    const warnings: string[] = []
    const {menu} = await loadMenuOrThrow(path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml'))
    const second = await startServing({
      api, configDir: path.join(dir, 'config'), account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, storeFile: path.join(dir, 'sessions.ndjson'),
      menu, onSummary() {}, onStep() {}, warn: (w) => warnings.push(w), sandbox: false, host: '127.0.0.1', port: 0, pid: b.pid!, campaign: 'carry-on (test)', watchMs: 100,
    })
    started.push(second)
    const before = await registered()
    await kill(a)
    await until('the warnings', () => warnings.length >= 2)
    await sleep(500)
    expect(warnings).to.deep.equal(['VCA', 'VSS'].map((type) => `Runner pid ${a.pid}, whose listener this run used, has stopped; without --public-url this run cannot take its place, so ${type === 'VCA' ? "the menu's call actions" : 'session summaries'} now reach no runner. Give every runner of the campaign the same --public-url so one can.`))
    expect(await registered()).to.deep.equal(before)
  })

  it('the first runner stopping before the other (not killed): the other takes its place', async () => {
    const [a, b] = runners
    const first = await runner(a.pid!)
    const events: ListenerEvent[] = []
    await runner(b.pid!, events)
    await first.stop()
    started.splice(started.indexOf(first), 1)
    await until('the takeover', () => events.length > 0)
    expect(events.map((e) => e.tookOver)).to.deep.equal([true])
    const urls = await registered()
    expect(events[0].now).to.deep.equal([`menu at ${urls.VCA}`, `summaries at ${urls.VSS}`])
  })
  it('a runner watching closely as the first one stops sees its leases all given back at once: one takeover of both, never half', async () => {
    const [a, b] = runners
    // Watching every 2 ms, the other runner looks in while the first gives back one lease and not yet the other.
    for (let round = 0; round < 5; round++) {
      const first = await runner(a.pid!)
      const events: ListenerEvent[] = []
      const second = await runner(b.pid!, events, [], 2)
      await first.stop()
      started.splice(started.indexOf(first), 1)
      await until('the takeover', () => events.length > 0)
      await sleep(100)
      const urls = await registered()
      expect(events.map((e) => e.now), `round ${round}`).to.deep.equal([[`menu at ${urls.VCA}`, `summaries at ${urls.VSS}`]])
      await second.stop()
      started.splice(started.indexOf(second), 1)
    }
  })
})

describe('campaign run output: a listener taken over', () => {
  const printed = (ndjson: boolean, ev: ListenerEvent) => {
    let out = ''
    let err = ''
    const sink = (add: (t: string) => void) => ({write: (t: string) => (add(t), true)}) as unknown as NodeJS.WritableStream
    runEventPrinter({ndjson, stdout: sink((t) => (out += t)), stderr: sink((t) => (err += t)), colors: makeColors(false)}).onEvent(ev)
    return {out, err}
  }
  const ev: ListenerEvent = {type: 'listener', stoppedPid: 4242, tookOver: true, now: ['menu at http://127.0.0.1:5001/vca', 'summaries at http://127.0.0.1:5001/vss']}

  it('is said on stderr on a terminal, naming the runner that stopped and where this run now listens', () => {
    const {out, err} = printed(false, ev)
    expect(out).to.equal('')
    expect(err).to.equal('\r\x1b[KRunner pid 4242, whose listener this run used, has stopped; this run took its place: menu at http://127.0.0.1:5001/vca; summaries at http://127.0.0.1:5001/vss.\n')
  })

  it('is an NDJSON event on stdout with --json or without a terminal', () => {
    const {out, err} = printed(true, ev)
    expect(err).to.equal('')
    const {at, ...rest} = JSON.parse(out)
    expect(typeof at).to.equal('string')
    expect(rest).to.deep.equal(ev)
  })
})
