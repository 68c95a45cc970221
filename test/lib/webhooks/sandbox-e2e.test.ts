// End to end against the sandbox: its webhooks API (through the real VoiceApi client) points its
// VSS webhook at our receiver, it runs calls to its magic numbers, and each summary lands in the store.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import type {IvrError} from '../../../src/lib/errors.js'
import {MAGIC_DESTINATIONS} from '../../../src/lib/sandbox/magic.js'
import {SPEECH_PROFILES} from '../../../src/lib/sandbox/profiles.js'
import {startSandbox} from '../../../src/lib/sandbox/server.js'
import {DEFAULT_SOURCE_NUMBER} from '../../../src/lib/sandbox/state.js'
import {acquireLease, leaseFileFor, readLease} from '../../../src/lib/lease/lease.js'
import {startReceiver, type Receiver} from '../../../src/lib/webhooks/receiver.js'
import {EventStore, readEvents} from '../../../src/lib/sessions/store.js'
import {sessionRow} from '../../../src/lib/sessions/row.js'
import {waitForSummary} from '../../../src/lib/sessions/wait.js'

describe('webhooks against the sandbox', () => {
  let dir: string
  let sandbox: Awaited<ReturnType<typeof startSandbox>>
  let store: EventStore
  let receiver: Receiver
  let api: VoiceApi
  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-sbx-'))
    // duplicates: the sandbox delivers one summary in three twice, as the platform may.
    sandbox = await startSandbox({host: '127.0.0.1', port: 0, duplicates: true})
    store = await EventStore.open(path.join(dir, 'sandbox.ndjson'))
    receiver = await startReceiver({host: '127.0.0.1', port: 0, path: '/vss', store})
    api = new VoiceApi({baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, subAccountId: sandbox.subAccountId, userAgent: 'ivr-test'})
  })
  after(async () => {
    await receiver.close()
    await store.close()
    await sandbox.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('registers temporarily, receives each outcome once, and removes the registration after', async () => {
    const configDir = path.join(dir, 'config')
    const reg = await acquireLease(api, {configDir, account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, type: 'VSS', url: receiver.url, pid: process.pid})
    expect(reg.replaced).to.equal(undefined)
    expect((await api.listWebhooks()).webhooks.find((w) => w.type === 'VSS')?.url).to.equal(receiver.url)
    expect((await readLease(leaseFileFor(configDir, sandbox.subAccountId, 'VSS')))?.previous).to.equal(null)

    const voiceProfile = SPEECH_PROFILES[0].speechProfileCode
    const cases = MAGIC_DESTINATIONS.filter((m) => ['answer', 'busy', 'no-answer', 'failed', 'no-coverage', 'tts-failure'].includes(m.outcome))
    const ids: string[] = []
    for (const m of cases) {
      const res = await api.sendCallflow({callflow: [
        {action: 'makeCall', params: {source: DEFAULT_SOURCE_NUMBER, destination: m.number}},
        {action: 'say', params: {text: 'Hello from the test.', voiceProfile}},
        {action: 'hangup'},
      ]})
      const ev = await waitForSummary({store, sessionId: res.sessionId!, timeoutMs: 15_000})
      expect(ev, m.outcome).to.not.equal(undefined)
      const row = sessionRow(ev!)
      expect(row.status, m.outcome).to.equal(m.sessionStatus)
      expect(row.errorCode, m.outcome).to.equal(m.errorCode)
      ids.push(res.sessionId!)
    }
    await store.flush()
    const summaries: string[] = []
    for await (const ev of readEvents(store.file)) if (ev.type === 'SESSION_SUMMARY') summaries.push(ev.sessionId!)
    expect([...summaries].sort()).to.deep.equal([...ids].sort())

    const undone = await reg.release()
    expect(undone.action).to.equal('deleted')
    expect((await api.listWebhooks()).webhooks.find((w) => w.type === 'VSS')).to.equal(undefined)
    expect(await readLease(reg.file)).to.equal(undefined)
  })

  it('refuses to replace a registration without force, and puts the previous one back', async () => {
    const configDir = path.join(dir, 'config2')
    await api.createWebhook({type: 'VSS', url: 'https://app.example.com/vss', enabled: true})
    const refused = (await acquireLease(api, {configDir, account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, type: 'VSS', url: receiver.url, pid: process.pid}).catch((error: unknown) => error)) as IvrError
    expect(refused.exitCode).to.equal(2)
    expect(refused.message).to.contain('https://app.example.com/vss')
    expect((await api.listWebhooks()).webhooks.find((w) => w.type === 'VSS')?.url).to.equal('https://app.example.com/vss')

    const reg = await acquireLease(api, {configDir, account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, type: 'VSS', url: receiver.url, pid: process.pid, force: true})
    expect(reg.replaced?.url).to.equal('https://app.example.com/vss')
    // A second receiver cannot take it over while this lease is open.
    expect(await acquireLease(api, {configDir, account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, type: 'VSS', url: 'http://127.0.0.1:1/x', pid: process.pid + 1, force: true}).catch((error: IvrError) => error.exitCode)).to.equal(2)
    const r = await reg.release()
    expect(r).to.include({action: 'restored', url: 'https://app.example.com/vss'})
    expect((await api.listWebhooks()).webhooks.find((w) => w.type === 'VSS')?.url).to.equal('https://app.example.com/vss')
    await api.deleteWebhook('VSS')
  })
})
