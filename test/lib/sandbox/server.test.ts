import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {expect} from 'chai'

import {VoiceApi} from '../../../src/lib/api/client.js'
import type {CreateWebhookRequest} from '../../../src/lib/api/types.js'
import {getTimeline, listSessions, seedSessions, setExportBehaviour, setPresses, startInboundCall, waitForSession, type SandboxTarget} from '../../../src/lib/sandbox/control.js'
import {EXPORT_COLUMNS} from '../../../src/lib/sandbox/exports.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {capture, request, TestReceiver} from './receiver.js'

async function raw(sb: RunningSandbox, method: string, p: string, opts: {key?: string | null; body?: unknown} = {}) {
  const headers: Record<string, string> = {'content-type': 'application/json'}
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? sb.apiKey}`
  const res = await fetch(`${sb.baseUrl}${p}`, {method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body)})
  const text = await res.text()
  return {status: res.status, body: text ? JSON.parse(text) : undefined}
}

describe('sandbox HTTP server', () => {
  let sb: RunningSandbox
  let api: VoiceApi
  let target: SandboxTarget
  let rx: TestReceiver

  beforeEach(async () => {
    sb = await startSandbox({retryDelaysMs: [1]})
    api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'test', retries: 0})
    target = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId}
    rx = await new TestReceiver().start()
  })
  afterEach(async () => {
    await sb.close()
    await rx.close()
  })

  describe('auth', () => {
    it('answers 401 with the platform\'s body for a missing or wrong key', async () => {
      const missing = await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/callflows', {key: null, body: request('+6591234567', {action: 'hangup'})})
      expect(missing.status).to.equal(401)
      expect(missing.body).to.include({sessionStatus: 'NOT_CREATED', statusCode: 401})
      expect(missing.body.callFlowRequestId).to.be.a('string')
      const wrong = await raw(sb, 'GET', '/api/v1/subaccounts/sandbox/webhooks', {key: 'nope'})
      expect(wrong.status).to.equal(401)
      expect(wrong.body.statusMessage).to.match(/Unauthorized/)
      expect(JSON.stringify(wrong.body)).not.to.include(sb.apiKey)
    })

    it('the CLI client maps the 401 to a credentials error', async () => {
      const bad = new VoiceApi({baseUrl: sb.baseUrl, apiKey: 'wrong', subAccountId: 'sandbox', userAgent: 'test', retries: 0})
      const err = await bad.listNumbers().catch((error) => error)
      expect(err.exitCode).to.equal(3)
    })

    it('accepts a key of its own choosing', async () => {
      const own = await startSandbox({apiKey: 'my-key'})
      try {
        expect((await raw(own, 'GET', '/api/v1/subaccounts/abc/numbers', {key: 'my-key'})).status).to.equal(200)
        expect((await raw(own, 'GET', '/api/v1/subaccounts/abc/numbers', {key: 'sandbox-key'})).status).to.equal(401)
      } finally {
        await own.close()
      }
    })
  })

  describe('webhooks', () => {
    it('one per type: create replaces, list shows it without the auth header, delete answers with the deleted entry', async () => {
      await api.createWebhook({type: 'VCA', url: 'http://127.0.0.1:1/old'})
      await api.createWebhook({type: 'VCA', url: 'http://127.0.0.1:1/new', httpAuthHeader: 'Basic c2VjcmV0'})
      // `active` is not in CreateWebhookRequest on purpose: the sandbox also takes it for `enabled`.
      await api.createWebhook({type: 'VSS', url: 'http://127.0.0.1:1/vss', active: false} as unknown as CreateWebhookRequest)
      const list = await api.listWebhooks()
      expect(list).to.include({subAccountId: 'sandbox', count: 2})
      expect(list.webhooks).to.deep.equal([
        {type: 'VCA', url: 'http://127.0.0.1:1/new', enabled: true, httpAuthHeaderAvailable: true},
        {type: 'VSS', url: 'http://127.0.0.1:1/vss', enabled: false, httpAuthHeaderAvailable: false},
      ])
      expect(JSON.stringify(list)).not.to.include('c2VjcmV0')
      const deleted = await api.deleteWebhook('VCA')
      expect(deleted).to.include({type: 'VCA', url: 'http://127.0.0.1:1/new', statusMessage: 'deleted'})
      expect((await api.listWebhooks()).count).to.equal(1)
      const again = await api.deleteWebhook('VCA').catch((error) => error)
      expect(again.exitCode).to.equal(5)
    })

    it('rejects an unknown type or a bad URL with 422', async () => {
      expect((await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/webhooks', {body: {type: 'XYZ', url: 'http://x.example'}})).status).to.equal(422)
      expect((await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/webhooks', {body: {type: 'VCA', url: 'ftp://x'}})).status).to.equal(422)
    })

    it('keeps state per sub-account', async () => {
      await api.createWebhook({type: 'VCA', url: 'http://127.0.0.1:1/a'})
      const other = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: 'other-acct', userAgent: 'test'})
      expect((await other.listWebhooks()).count).to.equal(0)
      expect((await raw(sb, 'GET', '/api/v1/subaccounts/a!/webhooks')).status).to.equal(404)
    })
  })

  describe('numbers, profiles, recordings', () => {
    it('lists the seeded numbers; a number check answers 404 when the number is not assigned', async () => {
      const list = await api.listNumbers()
      expect(list.numbers.map((n) => n.msisdn)).to.include('+6531591234')
      expect(list.totalNumbers).to.equal(list.numbers.length)
      expect((await api.checkNumber('6531591234')).payload).to.include({msisdn: '+6531591234', countryCode: 'SG'})
      const missing = await raw(sb, 'GET', '/api/v1/subaccounts/sandbox/numbers/6599999999')
      expect(missing.status).to.equal(404)
      const err = await api.checkNumber('+6599999999').catch((error) => error)
      expect(err.exitCode).to.equal(5)
    })

    it('seeds the numbers given, for every sub-account', async () => {
      const own = await startSandbox({numbers: ['+14155550100']})
      try {
        const other = new VoiceApi({baseUrl: own.baseUrl, apiKey: own.apiKey, subAccountId: 'xyz', userAgent: 'test'})
        expect((await other.listNumbers()).numbers.map((n) => n.msisdn)).to.deep.equal(['+14155550100'])
      } finally {
        await own.close()
      }
    })

    it('knows every voice profile 8x8\'s docs name, in many locales and both genders', async () => {
      const {speechProfiles} = await api.getSpeechProfiles()
      const codes = speechProfiles.map((p) => p.speechProfileCode)
      for (const named of ['en-US-BenjaminRUS', 'en-US-ZiraRUS', 'en-IE-EmilyNeural', 'en-GB-Emma', 'en-US-Neural2-C', 'en-US-Standard-A', 'da-DK-Naja']) expect(codes).to.include(named)
      expect(new Set(speechProfiles.map((p) => p.localeCode)).size).to.be.at.least(20)
      expect(new Set(speechProfiles.map((p) => p.gender))).to.deep.equal(new Set(['F', 'M']))
    })

    it('keeps a recording push config (the password only as passwordSet) and lists recordings per session', async () => {
      expect((await raw(sb, 'GET', '/api/v1/subaccounts/sandbox/recording-push-config')).status).to.equal(404)
      const set = await api.setRecordingPushConfig({protocol: 'sftp', host: 'files.example.com', username: 'u', password: 'pw-secret', path: '/rec'})
      expect(set).to.include({protocol: 'sftp', host: 'files.example.com', port: 22, passwordSet: true})
      expect(JSON.stringify(await api.getRecordingPushConfig())).not.to.include('pw-secret')
      expect((await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/recording-push-config', {body: {protocol: 'http', host: 'x'}})).status).to.equal(422)
      const res = await api.sendCallflow({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567', callRecording: true}}, {action: 'say', params: {text: 'Recorded', voiceProfile: 'en-US-Neural2-C'}}]})
      await waitForSession(target, res.sessionId!)
      const {recordings} = await api.getRecordings(res.sessionId!)
      expect(recordings).to.have.length(1)
      expect(recordings[0]).to.include({sessionid: res.sessionId, status: 'pushed'})
      expect(await api.deleteRecordingPushConfig()).to.include({delete: true})
      expect((await raw(sb, 'GET', '/api/v1/subaccounts/sandbox/recordings/nope')).status).to.equal(404)
    })
  })

  it('answers a body over 1 MiB with 413, and serves on (the server kit\'s bounded reader)', async () => {
    const big = await fetch(`${sb.baseUrl}/api/v1/subaccounts/sandbox/webhooks`, {method: 'POST', headers: {authorization: `Bearer ${sb.apiKey}`, 'content-type': 'application/json'}, body: JSON.stringify({type: 'VCA', url: 'https://x.example/' + 'a'.repeat(1024 * 1024)})})
    expect(big.status).to.equal(413)
    expect(await big.json()).to.include({statusCode: '1413'})
    expect((await raw(sb, 'GET', '/api/v1/subaccounts/sandbox/webhooks')).body.count).to.equal(0)
  })

  describe('spellings the spec decides', () => {
    it('refuses a lower-case webhook type (the spec\'s enum is upper case), saying the right one', async () => {
      const lower = await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/webhooks', {body: {type: 'vca', url: 'https://ivr.example.com/vca'}})
      expect(lower.status).to.equal(422)
      expect(lower.body.statusMessage).to.match(/upper case.*: VCA/)
      expect((await raw(sb, 'GET', '/api/v1/subaccounts/sandbox/webhooks')).body.count).to.equal(0)
    })

    it('accepts the Bearer scheme in any case (HTTP auth schemes are case-insensitive, RFC 9110)', async () => {
      const res = await fetch(`${sb.baseUrl}/api/v1/subaccounts/sandbox/numbers`, {headers: {authorization: `bearer ${sb.apiKey}`}})
      expect(res.status).to.equal(200)
    })
  })

  describe('send callflow', () => {
    it('refuses with the validator\'s platform codes', async () => {
      // The spec's example lists -1013 under 422.
      const invalid = await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/callflows', {body: {callflow: [{action: 'say', params: {text: 'hi', voiceProfile: 'en-US-Neural2-C'}}]}})
      expect(invalid.status).to.equal(422)
      expect(invalid.body).to.include({sessionStatus: 'NOT_CREATED', statusCode: -1013})
      const missingParam = await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/callflows', {body: {callflow: [{action: 'makeCall', params: {source: '+6531591234'}}]}})
      expect(missingParam.status).to.equal(400)
      expect(missingParam.body).to.include({statusCode: -1009})
      const broken = await fetch(`${sb.baseUrl}/api/v1/subaccounts/sandbox/callflows`, {method: 'POST', headers: {authorization: `Bearer ${sb.apiKey}`}, body: '{"callflow": ['})
      expect(await broken.json()).to.include({statusCode: -1001})
      // An empty body is not a JSON request body at all: -1001, not -1009.
      const empty = await fetch(`${sb.baseUrl}/api/v1/subaccounts/sandbox/callflows`, {method: 'POST', headers: {authorization: `Bearer ${sb.apiKey}`}, body: ''})
      expect(empty.status).to.equal(400)
      expect(await empty.json()).to.include({sessionStatus: 'NOT_CREATED', statusCode: -1001})
      const noVca = await api.sendCallflow(request('+6591234567', capture())).catch((error) => error)
      expect(noVca.statusCode).to.equal(-1004)
      expect(noVca.exitCode).to.equal(4)
    })

    it('takes a per-request outcome in X-Sandbox-Outcome, and refuses an unknown one', async () => {
      const send = (outcome: string) => fetch(`${sb.baseUrl}/api/v1/subaccounts/sandbox/callflows`, {method: 'POST', headers: {authorization: `Bearer ${sb.apiKey}`, 'x-sandbox-outcome': outcome}, body: JSON.stringify(request('+6591234567', {action: 'hangup'}))})
      const busy = await (await send('busy')).json()
      expect((await waitForSession(target, busy.sessionId)).sessionStatus).to.equal('BUSY')
      const bad = await send('maybe')
      expect(bad.status).to.equal(400)
      expect((await bad.json()).statusMessage).to.match(/not one of answer, busy/)
    })

    it('a session started over HTTP can be awaited and its timeline read over HTTP', async () => {
      await api.createWebhook({type: 'VCA', url: `${sb.baseUrl}/sandbox/demo-vca`})
      await api.createWebhook({type: 'VSS', url: `${rx.url}/vss`})
      await setPresses(target, '+6591234567', '4', {once: true})
      const res = await api.sendCallflow(request('+6591234567', capture()))
      expect(res).to.include({sessionStatus: 'CREATED', statusCode: 1, statusMessage: 'Created'})
      const t = await waitForSession(target, res.sessionId!)
      expect(t.state).to.equal('ended')
      expect(t.events.some((e) => e.kind === 'say' && /You pressed 4/.test(e.text))).to.equal(true)
      expect(t.events.some((e) => e.kind === 'webhook' && e.type === 'VSS' && e.response?.status === 200)).to.equal(true)
      expect(rx.of('/vss')).to.have.length(1)
      expect((await listSessions(target)).map((s) => s.sessionId)).to.include(res.sessionId)
      // The `once` presses were used up: the next call to the number presses nothing.
      const second = await api.sendCallflow(request('+6591234567', capture()))
      const t2 = await getTimeline(target, second.sessionId!, {waitMs: 10_000})
      expect(t2.events.some((e) => e.kind === 'say' && /did not get your choice/.test(e.text))).to.equal(true)
    })

    it('a destination\'s press script serves every call to it unless set with once', async () => {
      await api.createWebhook({type: 'VCA', url: `${sb.baseUrl}/sandbox/demo-vca`})
      const put = await raw(sb, 'PUT', '/sandbox/subaccounts/sandbox/destinations/+6591234570', {body: {presses: '1'}})
      expect(put.status).to.equal(200)
      for (let i = 0; i < 2; i++) {
        const res = await api.sendCallflow(request('+6591234570', capture()))
        const t = await getTimeline(target, res.sessionId!, {waitMs: 10_000})
        expect(t.events.filter((e) => e.kind === 'capture').map((e) => e.digits), `call ${i + 1}`).to.deep.equal(['1'])
      }
      expect((await raw(sb, 'GET', '/sandbox/subaccounts/sandbox/destinations/+6591234570')).body).to.deep.include({presses: ['1']})
    })

    it('starts inbound calls through the control endpoint', async () => {
      await api.createWebhook({type: 'VCA', url: `${sb.baseUrl}/sandbox/demo-vca`})
      const {sessionId} = await startInboundCall(target, {from: '+6598765432', to: '+6531591234', presses: '9'})
      const t = await waitForSession(target, sessionId)
      expect(t.direction).to.equal('INBOUND')
      expect(t.sessionStatus).to.equal('COMPLETED')
      const err = await startInboundCall(target, {from: '+6598765432', to: '+6500000000'}).catch((error) => error)
      expect(err.exitCode).to.equal(5)
    })
  })

  describe('log export jobs', () => {
    async function poll(jobId: string) {
      return api.getLogExport(jobId)
    }

    it('queued, running, then succeeded with CSV files of the sandbox\'s own sessions', async () => {
      await seedSessions(target, {count: 5})
      await setExportBehaviour(target, {rowsPerFile: 2})
      const {jobId} = await api.startLogExport({})
      expect((await poll(jobId)).status).to.equal('queued')
      expect((await poll(jobId)).status).to.equal('running')
      const done = await poll(jobId)
      expect(done.status).to.equal('succeeded')
      expect(done.data).to.have.length(3)
      expect(Date.parse(done.expires!)).to.be.greaterThan(Date.now())
      const files = await Promise.all(done.data!.map(async (u) => (await fetch(u)).text()))
      expect(files[0].split('\n')[0]).to.equal(EXPORT_COLUMNS.join(','))
      const rows = files.flatMap((f) => f.trim().split('\n').slice(1))
      expect(rows).to.have.length(5)
      expect(rows[0]).to.include(',sandbox,OUTBOUND,')
    })

    it('is empty when no session falls in the range, honours limit, and can be forced to fail', async () => {
      await setExportBehaviour(target, {polls: 0})
      const empty = await api.startLogExport({from: '2020-01-01', to: '2020-01-02'})
      expect((await poll(empty.jobId)).status).to.equal('empty')
      await seedSessions(target, {count: 10})
      const limited = await api.startLogExport({limit: 3})
      const files = await Promise.all((await poll(limited.jobId)).data!.map(async (u) => (await fetch(u)).text()))
      expect(files.join('').trim().split('\n').filter((l) => !l.startsWith('SessionId'))).to.have.length(3)
      for (const outcome of ['failed', 'error'] as const) {
        await setExportBehaviour(target, {outcome})
        expect((await poll((await api.startLogExport({})).jobId)).status).to.equal(outcome)
      }
      await setExportBehaviour(target, null)
      expect((await poll((await api.startLogExport({})).jobId)).status).to.equal('queued')
    })

    it('cancels a running job (its links stop working), and 404s an unknown job or a bad date', async () => {
      await seedSessions(target, {count: 2})
      const {jobId} = await api.startLogExport({})
      await poll(jobId)
      await api.cancelLogExport(jobId)
      expect((await poll(jobId)).status).to.equal('cancelled')
      expect((await fetch(`${sb.baseUrl}/sandbox/exports/${jobId}/part-1.csv`)).status).to.equal(404)
      expect((await raw(sb, 'GET', '/api/v1/subaccounts/sandbox/messages/exports/nope')).status).to.equal(404)
      expect((await raw(sb, 'POST', '/api/v1/subaccounts/sandbox/messages/exports', {body: {from: 'yesterday'}})).status).to.equal(400)
    })
  })

  it('keeps its state across restarts in a 0600 state file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sbx-state-'))
    const stateFile = path.join(dir, 'state.json')
    const first = await startSandbox({stateFile})
    const a = new VoiceApi({baseUrl: first.baseUrl, apiKey: first.apiKey, subAccountId: 'keep-me', userAgent: 'test'})
    await a.createWebhook({type: 'VSS', url: `${rx.url}/vss`, httpAuthHeader: 'Bearer hook-secret'})
    const {sessionId} = await a.sendCallflow(request('+6591234567', {action: 'hangup'}))
    await waitForSession({baseUrl: first.baseUrl, apiKey: first.apiKey, subAccountId: 'keep-me'}, sessionId!)
    await first.close()
    expect((await fs.stat(stateFile)).mode & 0o777).to.equal(0o600)

    const second = await startSandbox({stateFile})
    try {
      const b = new VoiceApi({baseUrl: second.baseUrl, apiKey: second.apiKey, subAccountId: 'keep-me', userAgent: 'test'})
      expect((await b.listWebhooks()).webhooks[0]).to.include({type: 'VSS', httpAuthHeaderAvailable: true})
      const t = await getTimeline({baseUrl: second.baseUrl, apiKey: second.apiKey, subAccountId: 'keep-me'}, sessionId!)
      expect(t.summary!.sessionStatus).to.equal('COMPLETED')
      // The auth header survives the restart: deliveries still carry it.
      const {sessionId: next} = await b.sendCallflow(request('+6591234567', {action: 'hangup'}))
      await waitForSession({baseUrl: second.baseUrl, apiKey: second.apiKey, subAccountId: 'keep-me'}, next!)
      expect(rx.of('/vss').at(-1)!.headers.authorization).to.equal('Bearer hook-secret')
    } finally {
      await second.close()
      await fs.rm(dir, {recursive: true, force: true})
    }
  })

  it('with demoVca, every sub-account starts with the demo responder as its VCA webhook', async () => {
    const demo = await startSandbox({demoVca: true})
    try {
      const a = new VoiceApi({baseUrl: demo.baseUrl, apiKey: demo.apiKey, subAccountId: 'newcomer', userAgent: 'test'})
      expect((await a.listWebhooks()).webhooks).to.deep.equal([{type: 'VCA', url: `${demo.baseUrl}/sandbox/demo-vca`, enabled: true, httpAuthHeaderAvailable: false}])
      const {sessionId} = await a.sendCallflow(request('+6591234567', capture()))
      const t = await waitForSession({baseUrl: demo.baseUrl, apiKey: demo.apiKey, subAccountId: 'newcomer'}, sessionId!)
      expect(t.sessionStatus).to.equal('COMPLETED')
      expect((await api.listWebhooks()).count).to.equal(0)
    } finally {
      await demo.close()
    }
  })

  it('answers its health probe and serves the demo VCA responder without a key', async () => {
    expect((await raw(sb, 'GET', '/sandbox/health', {key: null})).status).to.equal(200)
    const menu = await raw(sb, 'POST', '/sandbox/demo-vca', {key: null, body: {payload: {callStatus: 'CALL_RECEIVED'}}})
    expect(menu.body.callflow[0].action).to.equal('sayAndCapture')
    const bye = await raw(sb, 'POST', '/sandbox/demo-vca', {key: null, body: {payload: {callStatus: 'ACTION_COMPLETED', eventData: {dtmf: '42'}}}})
    expect(bye.body.callflow[0].params.text).to.equal('You pressed 4 2. Goodbye.')
  })
})
