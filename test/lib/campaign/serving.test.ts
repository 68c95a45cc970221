// What a campaign run listens to, when two runners of one menu campaign start at the same moment on
// one machine: the first may have claimed the session store but not yet leased VSS when the second
// looks; the second must then wait for it and use its listener, not try to open the store itself.
import {expect} from 'chai'
import {spawn, type ChildProcess} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {startServing, type Serving, type ServingOptions} from '../../../src/lib/campaign/serving.js'
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
