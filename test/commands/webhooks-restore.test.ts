// The guarded temporary registration, end to end with the real CLI against the sandbox:
// `sessions tail --sandbox` points the VSS webhook at itself, puts the previous one back on Ctrl-C,
// and after a kill -9 `ivr webhooks restore` does it.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../src/lib/api/client.js'
import {SPEECH_PROFILES} from '../../src/lib/sandbox/profiles.js'
import {startSandbox} from '../../src/lib/sandbox/server.js'
import {DEFAULT_SOURCE_NUMBER} from '../../src/lib/sandbox/state.js'
import {runIvr} from '../helpers/run.js'
import {LiveIvr} from './sessions/spawn.js'
import {announceSandbox} from '../helpers/sandbox.js'

describe('sessions tail --sandbox registration and ivr webhooks restore', function () {
  this.timeout(60_000)
  let dir: string
  let env: Record<string, string>
  let sandbox: Awaited<ReturnType<typeof startSandbox>>
  let api: VoiceApi
  let live: LiveIvr | undefined
  const vssUrl = async () => (await api.listWebhooks()).webhooks.find((w) => w.type === 'VSS')?.url

  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-restore-'))
    env = {IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config')}
    sandbox = await startSandbox({host: '127.0.0.1', port: 0})
    // What `ivr sandbox start` leaves for other commands to find it.
    await announceSandbox(env.IVR_DATA_DIR, sandbox)
    api = new VoiceApi({baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, subAccountId: sandbox.subAccountId, userAgent: 'ivr-test'})
  })
  after(async () => {
    await sandbox.close()
    await fs.rm(dir, {recursive: true, force: true})
  })
  beforeEach(() => api.createWebhook({type: 'VSS', url: 'https://app.example.com/vss', enabled: true}))
  afterEach(() => {
    if (live && live.child.exitCode === null && live.child.signalCode === null) live.kill('SIGKILL')
    live = undefined
  })

  it('refuses to replace an existing registration without --force', async () => {
    live = new LiveIvr(['sessions', 'tail', '--sandbox', '--port', '0'], env)
    expect((await live.exited).code).to.equal(2)
    expect(live.stderr).to.contain('already has a VSS webhook: https://app.example.com/vss')
    expect(live.stderr).to.contain('--force')
    expect(await vssUrl()).to.equal('https://app.example.com/vss')
  })

  it('shows sessions sent from elsewhere, and puts the previous webhook back on Ctrl-C', async () => {
    live = new LiveIvr(['sessions', 'tail', '--sandbox', '--port', '0', '--force'], env)
    const url = await live.url()
    await live.waitFor(/Registered the VSS webhook of sandbox/)
    expect(await vssUrl()).to.equal(url)
    const sent = await api.sendCallflow({callflow: [
      {action: 'makeCall', params: {source: DEFAULT_SOURCE_NUMBER, destination: '+12025550101'}},
      {action: 'say', params: {text: 'Hello.', voiceProfile: SPEECH_PROFILES[0].speechProfileCode}},
    ]})
    await live.waitFor(new RegExp(`BUSY\\s+${sent.sessionId!.slice(0, 8)}`), 'stdout')
    live.kill('SIGINT')
    expect((await live.exited).code).to.equal(0)
    expect(live.stderr).to.contain('Put the VSS webhook back: https://app.example.com/vss')
    expect(await vssUrl()).to.equal('https://app.example.com/vss')
    // What tail stored is what `sessions list` reads, for the sandbox's sub-account.
    const list = await runIvr(['sessions', 'list', '--sandbox', '--json'], {env})
    expect(JSON.parse(list.stdout).sessions.map((s: {sessionId: string}) => s.sessionId)).to.contain(sent.sessionId)
  })

  it('after a kill -9, `ivr webhooks restore` puts the previous webhook back', async () => {
    live = new LiveIvr(['sessions', 'tail', '--sandbox', '--port', '0', '--force'], env)
    const url = await live.url()
    await live.waitFor(/Registered the VSS webhook/)
    live.kill('SIGKILL')
    await live.exited
    expect(await vssUrl()).to.equal(url)

    const r = await runIvr(['webhooks', 'restore', '--sandbox'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.contain('Restored the VSS webhook of sandbox → https://app.example.com/vss')
    expect(await vssUrl()).to.equal('https://app.example.com/vss')
    const twice = await runIvr(['webhooks', 'restore', '--sandbox'], {env})
    expect(twice.exitCode).to.equal(0)
    expect(twice.stderr).to.contain('Nothing to restore')
  })
})
