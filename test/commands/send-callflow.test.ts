import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {sampleProfiles, startFakeApi, type RecordedRequest} from '../helpers/fake-api.js'
import {runBin, runIvr} from '../helpers/run.js'


const CREATED = {sessionId: '03cc8cac-376b-11ef-a28b-0582ff0039d5', sessionStatus: 'CREATED', callFlowRequestId: '03cc3e8b-376b-11ef-a28b-4dd5d900ecb3', statusCode: 1, statusMessage: 'Created'}

describe('send-callflow', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>>
  let env: Record<string, string>
  let answer: (req: RecordedRequest) => {status: number; body: unknown}
  let dir: string

  before(async () => {
    api = await startFakeApi({routes: {
      'POST /callflows': (req) => answer(req),
      'GET /speech-profiles': () => ({status: 200, body: {speechProfiles: sampleProfiles, statusCode: 1, statusMessage: 'OK'}}),
    }})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl}
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'send-'))
  })
  after(() => api.close())
  beforeEach(async () => {
    answer = () => ({status: 200, body: CREATED})
    api.requests.length = 0
    await fs.rm(process.env.IVR_CACHE_DIR as string, {recursive: true, force: true})
  })

  const posts = () => api.requests.filter((r) => r.method === 'POST')

  it('builds a callflow from quick flags in the order given, and prints the session, status and request id', async () => {
    const r = await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--voice', 'en-GB-Emma', '--say', 'Hello.',
      '--capture', 'Press 1 to confirm.', '--max-digits', '2', '--say', 'Goodbye.', '--hangup'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    const [req] = posts()
    expect(req.path).to.equal('/api/v1/subaccounts/acme/callflows')
    expect(req.headers.authorization).to.equal(`Bearer ${api.apiKey}`)
    expect(req.headers['content-type']).to.match(/^application\/json/)
    expect(req.json).to.deep.equal({callflow: [
      {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
      {action: 'say', params: {text: 'Hello.', voiceProfile: 'en-GB-Emma'}},
      {action: 'sayAndCapture', params: {promptMessage: 'Press 1 to confirm.', voiceProfile: 'en-GB-Emma', minDigits: 1, maxDigits: 2, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 1}},
      {action: 'say', params: {text: 'Goodbye.', voiceProfile: 'en-GB-Emma'}},
      {action: 'hangup'},
    ]})
    expect(r.stdout).to.contain(CREATED.sessionId).and.contain('CREATED').and.contain(CREATED.callFlowRequestId)
  })

  it('sends a YAML file with --var, --valid-until and --client-request-id, and gives the API response under --json', async () => {
    const file = path.join(dir, 'reminder.yaml')
    await fs.writeFile(file, 'callflow:\n  - action: makeCall\n    params: {source: "+6531591234", destination: "{{to}}"}\n  - action: say\n    params: {text: "Hi {{name}}", voiceProfile: en-US-ZiraRUS}\n')
    const before = Date.now()
    // A child process: the value's quotes and spaces reach the command as typed.
    const r = await runBin(['send-callflow', file, '--var', 'to=+6591234567', '--var', 'name=O\'Brien "Jo"', '--valid-until', '10m', '--client-request-id', 'batch-7', '--json'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    const body = posts()[0].json
    expect(Date.parse(body.validUntil) - before).to.be.within(9 * 60_000, 11 * 60_000)
    expect(body.validUntil).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(body).to.deep.include({clientRequestId: 'batch-7', callflow: [
      {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
      {action: 'say', params: {text: 'Hi O\'Brien "Jo"', voiceProfile: 'en-US-ZiraRUS'}},
    ]})
    expect(JSON.parse(r.stdout)).to.deep.equal(CREATED)
  })

  it('reads the callflow from stdin with -', async () => {
    const flow = {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}}, {action: 'hangup'}]}
    const r = await runBin(['send-callflow', '-'], {env, input: JSON.stringify(flow)})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(posts()[0].json).to.deep.equal(flow)
  })

  it('--dry-run prints the exact URL and body and sends nothing', async () => {
    const r = await runIvr(['send-callflow', 'examples/callflows/tts-reminder.json', '--dry-run'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(posts()).to.deep.equal([])
    const [first, , , ...rest] = r.stdout.split('\n')
    expect(first).to.equal(`POST ${api.baseUrl}/api/v1/subaccounts/acme/callflows`)
    expect(JSON.parse(rest.join('\n'))).to.deep.equal(JSON.parse(await fs.readFile('examples/callflows/tts-reminder.json', 'utf8')))
  })

  it('refuses a callflow with errors (exit 4), pointing at the line, and sends nothing', async () => {
    const file = path.join(dir, 'bad.json')
    await fs.writeFile(file, '{"callflow": [\n  {"action": "makeCall", "params": {"source": "+6531591234", "destination": "+6591234567"}},\n  {"action": "say", "params": {"voiceProfile": "en-GB-Emma"}}\n]}\n')
    const r = await runIvr(['send-callflow', file], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain(`${file}:3:`).and.contain('-1009  $.callflow[1].params.text is missing but it is required')
    expect(posts()).to.deep.equal([])
  })

  it('checks voices against the cached profile list before sending', async () => {
    await runIvr(['profiles', 'list'], {env})
    const r = await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--voice', 'en-GB-Emmma', '--say', 'Hi'], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('-1002').and.contain('Did you mean en-GB-Emma?')
    expect(posts()).to.deep.equal([])
  })

  it('maps a NOT_CREATED answer to exit 4 with the platform\'s code, message and what the code means', async () => {
    answer = () => ({status: 400, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId: 'c6e6dee5', statusCode: -1002, statusMessage: 'Invalid speech profile'}})
    const r = await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--voice', 'xx-XX-Nobody', '--say', 'Hi'], {env})
    expect(r.exitCode).to.equal(4)
    expect(posts()).to.have.length(1)
    expect(r.stderr).to.contain('-1002 Invalid speech profile').and.contain('`ivr profiles list`')
  })

  it('--no-validate lets the platform judge', async () => {
    answer = () => ({status: 400, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId: 'x', statusCode: -1013, statusMessage: 'Invalid Callflow : First action should be a MakeCall action'}})
    const file = path.join(dir, 'no-makecall.json')
    await fs.writeFile(file, JSON.stringify({callflow: [{action: 'hangup'}]}))
    let r = await runIvr(['send-callflow', file], {env})
    expect(r.exitCode).to.equal(4)
    expect(posts()).to.have.length(0)
    r = await runIvr(['send-callflow', file, '--no-validate', '--json'], {env})
    expect(r.exitCode).to.equal(4)
    expect(posts()).to.have.length(1)
    expect(JSON.parse(r.stdout).error.message).to.contain('-1013').and.contain('First action should be a MakeCall action')
  })

  it('refuses usage mistakes with exit 2: no callflow, file and quick flags together, a placeholder without a value', async () => {
    expect((await runIvr(['send-callflow'], {env})).exitCode).to.equal(2)
    expect((await runIvr(['send-callflow', 'examples/callflows/tts-reminder.json', '--say', 'x'], {env})).exitCode).to.equal(2)
    const r = await runIvr(['send-callflow', 'examples/callflows/appointment-reminder.yaml', '--var', 'to=+6591234567'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('{{name}}').and.contain('{{time}}')
    expect((await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--valid-until', 'soon'], {env})).exitCode).to.equal(2)
    expect(posts()).to.deep.equal([])
  })
})
