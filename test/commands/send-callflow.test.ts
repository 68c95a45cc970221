import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import type {Timeline} from '../../src/lib/sandbox/engine.js'
import {startSandbox, type RunningSandbox} from '../../src/lib/sandbox/server.js'
import {runBin, runIvr} from '../helpers/run.js'

// The real client against the sandbox's API (as a real account: IVR_BASE_URL points at it). What was
// sent is read from what the call did (the sandbox's timeline), and the exact body from --dry-run.
describe('send-callflow', () => {
  let sb: RunningSandbox
  let env: Record<string, string>
  let dir: string

  before(async () => {
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: sb.apiKey, IVR_BASE_URL: sb.baseUrl}
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'send-'))
  })
  after(() => sb.close())
  let seen = 0
  beforeEach(async () => {
    // A capture's digits go to the VCA webhook: the sandbox's own demo responder answers them.
    sb.engine.state.sub('acme').webhooks.VCA = {type: 'VCA', url: `${sb.baseUrl}/sandbox/demo-vca`, enabled: true}
    seen = sb.engine.listSessions('acme').length
    await fs.rm(process.env.IVR_CACHE_DIR as string, {recursive: true, force: true})
  })

  /** The sessions the sandbox created since the test began, each once it has ended. */
  const sent = async (): Promise<Timeline[]> => {
    const ids = sb.engine.listSessions('acme').slice(seen).map((x) => x.sessionId)
    return Promise.all(ids.map((id) => sb.engine.waitForEnd(id)))
  }
  const said = (t: Timeline) => t.events.flatMap((e) => (e.kind === 'say' ? [[e.role, e.text, e.voiceProfile]] : []))

  it('builds a callflow from quick flags in the order given, and prints the session, status and request id', async () => {
    const r = await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--voice', 'en-GB-Emma', '--say', 'Hello.',
      '--capture', 'Press 1 to confirm.', '--max-digits', '2', '--say', 'Goodbye.', '--hangup'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    const [t] = await sent()
    expect([t.source, t.destination]).to.deep.equal(['+6531591234', '+6591234567'])
    expect(said(t).slice(0, 2)).to.deep.equal([['say', 'Hello.', 'en-GB-Emma'], ['prompt', 'Press 1 to confirm.', 'en-GB-Emma']])
    expect(t.events.find((e) => e.kind === 'waiting')).to.include({minDigits: 1, maxDigits: 2, completeOnHash: false})
    expect(r.stdout).to.contain(t.sessionId).and.contain('CREATED').and.match(/request id {2}\S+/)
  })

  it('--dry-run prints the exact URL and body of quick flags, and sends nothing', async () => {
    const r = await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--voice', 'en-GB-Emma', '--say', 'Hello.',
      '--capture', 'Press 1 to confirm.', '--max-digits', '2', '--say', 'Goodbye.', '--hangup', '--dry-run'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    const [first, , , ...rest] = r.stdout.split('\n')
    expect(first).to.equal(`POST ${sb.baseUrl}/api/v1/subaccounts/acme/callflows`)
    expect(JSON.parse(rest.join('\n'))).to.deep.equal({callflow: [
      {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
      {action: 'say', params: {text: 'Hello.', voiceProfile: 'en-GB-Emma'}},
      {action: 'sayAndCapture', params: {promptMessage: 'Press 1 to confirm.', voiceProfile: 'en-GB-Emma', minDigits: 1, maxDigits: 2, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 1}},
      {action: 'say', params: {text: 'Goodbye.', voiceProfile: 'en-GB-Emma'}},
      {action: 'hangup'},
    ]})
    expect(await sent()).to.deep.equal([])
  })

  it('sends a YAML file with --var, --valid-until and --client-request-id, and gives the API response under --json', async () => {
    const file = path.join(dir, 'reminder.yaml')
    await fs.writeFile(file, 'callflow:\n  - action: makeCall\n    params: {source: "+6531591234", destination: "{{to}}"}\n  - action: say\n    params: {text: "Hi {{name}}", voiceProfile: en-US-ZiraRUS}\n')
    const before = Date.now()
    // A child process: the value's quotes and spaces reach the command as typed.
    const r = await runBin(['send-callflow', file, '--var', 'to=+6591234567', '--var', 'name=O\'Brien "Jo"', '--valid-until', '10m', '--client-request-id', 'batch-7', '--json'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    const res = JSON.parse(r.stdout)
    expect(res).to.include({sessionStatus: 'CREATED'})
    expect(Date.parse(res.validUntil) - before).to.be.within(9 * 60_000, 11 * 60_000)
    expect(res.validUntil).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const [t] = await sent()
    expect(t).to.include({sessionId: res.sessionId, destination: '+6591234567', clientRequestId: 'batch-7'})
    expect(said(t)).to.deep.equal([['say', 'Hi O\'Brien "Jo"', 'en-US-ZiraRUS']])
  })

  it('reads the callflow from stdin with -', async () => {
    const flow = {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}}, {action: 'say', params: {text: 'From stdin.', voiceProfile: 'en-US-ZiraRUS'}}, {action: 'hangup'}]}
    const r = await runBin(['send-callflow', '-'], {env, input: JSON.stringify(flow)})
    expect(r.exitCode, r.stderr).to.equal(0)
    const [t] = await sent()
    expect(said(t)).to.deep.equal([['say', 'From stdin.', 'en-US-ZiraRUS']])
  })

  it('--dry-run of a file prints the exact URL and body and sends nothing', async () => {
    const r = await runIvr(['send-callflow', 'examples/callflows/tts-reminder.json', '--dry-run'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    const [first, , , ...rest] = r.stdout.split('\n')
    expect(first).to.equal(`POST ${sb.baseUrl}/api/v1/subaccounts/acme/callflows`)
    expect(JSON.parse(rest.join('\n'))).to.deep.equal(JSON.parse(await fs.readFile('examples/callflows/tts-reminder.json', 'utf8')))
    expect(await sent()).to.deep.equal([])
  })

  it('refuses a callflow with errors (exit 4), pointing at the line, and sends nothing', async () => {
    const file = path.join(dir, 'bad.json')
    await fs.writeFile(file, '{"callflow": [\n  {"action": "makeCall", "params": {"source": "+6531591234", "destination": "+6591234567"}},\n  {"action": "say", "params": {"voiceProfile": "en-GB-Emma"}}\n]}\n')
    const r = await runIvr(['send-callflow', file], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain(`${file}:3:`).and.contain('-1009  $.callflow[1].params.text is missing but it is required')
    expect(await sent()).to.deep.equal([])
  })

  it('checks voices against the cached profile list before sending', async () => {
    await runIvr(['profiles', 'list'], {env})
    const r = await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--voice', 'en-GB-Emmma', '--say', 'Hi'], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('-1002').and.contain('Did you mean en-GB-Emma?')
    expect(await sent()).to.deep.equal([])
  })

  it('maps a NOT_CREATED answer to exit 4 with the platform\'s code, message and what the code means', async () => {
    // No cached voice list: the voice is not checked here, the platform (the sandbox) refuses it.
    const r = await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--voice', 'xx-XX-Nobody', '--say', 'Hi'], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/-1002 [^\n]*(speech profile|voice)/i).and.contain('`ivr profiles list`')
    expect(await sent()).to.deep.equal([])
  })

  it('--no-validate lets the platform judge', async () => {
    const file = path.join(dir, 'no-makecall.json')
    await fs.writeFile(file, JSON.stringify({callflow: [{action: 'hangup'}]}))
    let r = await runIvr(['send-callflow', file], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('nothing was sent')
    r = await runIvr(['send-callflow', file, '--no-validate', '--json'], {env})
    expect(r.exitCode).to.equal(4)
    expect(JSON.parse(r.stdout).error.message).to.contain('-1013').and.match(/first action/i)
    expect(await sent()).to.deep.equal([])
  })

  it('refuses usage mistakes with exit 2: no callflow, file and quick flags together, a placeholder without a value', async () => {
    expect((await runIvr(['send-callflow'], {env})).exitCode).to.equal(2)
    expect((await runIvr(['send-callflow', 'examples/callflows/tts-reminder.json', '--say', 'x'], {env})).exitCode).to.equal(2)
    const r = await runIvr(['send-callflow', 'examples/callflows/appointment-reminder.yaml', '--var', 'to=+6591234567'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('{{name}}').and.contain('{{time}}')
    expect((await runIvr(['send-callflow', '--from', '+6531591234', '--to', '+6591234567', '--valid-until', 'soon'], {env})).exitCode).to.equal(2)
    expect(await sent()).to.deep.equal([])
  })
})
