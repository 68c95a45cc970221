import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {sampleProfiles, startFakeApi} from '../../helpers/fake-api.js'
import {projectRoot, runBin, runIvr} from '../../helpers/run.js'

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await fs.readdir(dir, {withFileTypes: true})) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...await listFiles(p))
    else if (/\.(json|ya?ml)$/.test(e.name)) out.push(p)
  }
  return out
}

describe('callflow validate', () => {
  let dir: string
  /** No account and no cached voices, whatever other tests stored: voices are not checked. */
  let offline: Record<string, string>
  before(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'validate-'))
    offline = {IVR_CONFIG_DIR: path.join(dir, 'no-config'), IVR_CACHE_DIR: path.join(dir, 'no-cache')}
  })
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name)
    await fs.writeFile(file, text)
    return file
  }

  it('prints every problem like a compiler, then a summary, and exits 4', async () => {
    const file = await write('bad.json', [
      '{"callflow": [',
      '  {"action": "makeCall", "params": {"source": "+6531591234", "destination": "+659123"}},',
      '  {"action": "say", "params": {"voiceProfile": "en-GB-Emma"}},',
      '  {"action": "hangup"}',
      ']}',
    ].join('\n'))
    const r = await runIvr(['callflow', 'validate', file], {env: offline})
    expect(r.exitCode).to.equal(4)
    const lines = r.stdout.split('\n')
    expect(lines).to.include(`${file}:2:62  -1017  $.callflow[0].params.destination "+659123" is too short for Singapore numbers (+65)`)
    expect(lines).to.include(`${file}:3:21  -1009  $.callflow[1].params.text is missing but it is required`)
    expect(lines.filter((l) => l.startsWith('✖'))).to.deep.equal(['✖ 2 errors, 1 warning in 1 file'])
  })

  it('exits 4 on any error, 0 when there are only warnings', async () => {
    const file = await write('ok.json', JSON.stringify({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}}, {action: 'hangup'}, {action: 'hangup'}]}))
    const r = await runIvr(['callflow', 'validate', file], {env: offline})
    expect(r.exitCode, r.stdout).to.equal(4)
    const ok = await write('ok2.json', JSON.stringify({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}}, {action: 'playFile', params: {fileUrl: 'https://x.example/a.ogg'}}]}))
    const r2 = await runIvr(['callflow', 'validate', ok], {env: offline})
    expect(r2.exitCode).to.equal(0)
    expect(r2.stdout).to.contain('warning  $.callflow[1].params.fileUrl').and.contain('✔ 1 file valid (1 warning)')
  })

  it('reads YAML from stdin and reports a syntax error with its line and column (-1001)', async () => {
    let r = await runBin(['callflow', 'validate', '-'], {env: offline, input: 'callflow:\n  - action: makeCall\n    params: {source: "+6531591234", destination: "+6591234567"}\n  - action: hangup\n'})
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
    r = await runBin(['callflow', 'validate', '-'], {env: offline, input: 'callflow:\n  - action: makeCall\n    params: [1, 2\n  - action: hangup\n'})
    expect(r.exitCode).to.equal(4)
    expect(r.stdout).to.match(/^<stdin>:4:3 {2}-1001 {2}\$ not valid YAML/m)
  })

  it('gives the problems as JSON under --json, still exiting 4 on errors', async () => {
    const file = await write('bad.yaml', 'callflow:\n  - action: say\n    params: {text: hi, voiceProfile: en-GB-Emma}\n')
    const r = await runIvr(['callflow', 'validate', file, '--json'], {env: offline})
    expect(r.exitCode).to.equal(4)
    const out = JSON.parse(r.stdout)
    expect(out).to.include({valid: false, errors: 1})
    expect(out.problems.filter((p: {severity: string}) => p.severity === 'error')).to.deep.equal([
      {file, code: -1013, path: '$.callflow[0].action', severity: 'error', message: 'is say, but the first action of a Send Callflow request must be makeCall', hint: 'A request starts a call: put a makeCall with source and destination first.', line: 2, column: 5},
    ])
  })

  it('--vca checks a VCA answer, where makeCall need not come first', async () => {
    const file = await write('answer.json', JSON.stringify({clientActionId: 'm1', callflow: [{action: 'say', params: {text: 'Bye', voiceProfile: 'en-GB-Emma'}}, {action: 'hangup'}]}))
    expect((await runIvr(['callflow', 'validate', file], {env: offline})).exitCode).to.equal(4)
    expect((await runIvr(['callflow', 'validate', '--vca', file], {env: offline})).exitCode).to.equal(0)
  })

  it('fills placeholders from --var; without a value they are warnings and their values are not judged', async () => {
    const file = await write('tpl.json', JSON.stringify({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '{{to}}'}}]}))
    let r = await runIvr(['callflow', 'validate', file], {env: offline})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('placeholder {{to}} has no value')
    r = await runIvr(['callflow', 'validate', file, '--var', 'to=12'], {env: offline})
    expect(r.exitCode).to.equal(4)
    expect(r.stdout).to.contain('-1017')
  })

  it('refuses a file it cannot read with exit 4', async () => {
    const r = await runIvr(['callflow', 'validate', path.join(dir, 'nope.json')], {env: offline})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('no such file')
  })

  describe('with the account (the sandbox, reached as a real account)', () => {
    let sb: RunningSandbox
    let env: Record<string, string>
    before(async () => {
      sb = await startSandbox({host: '127.0.0.1', port: 0})
      env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: sb.apiKey, IVR_BASE_URL: sb.baseUrl}
    })
    after(() => sb.close())
    beforeEach(async () => {
      delete sb.engine.state.sub('acme').webhooks.VCA
      await fs.rm(process.env.IVR_CACHE_DIR as string, {recursive: true, force: true})
    })

    const flow = (voice: string, source = '+6531591234') => JSON.stringify({callflow: [
      {action: 'makeCall', params: {source, destination: '+6591234567'}},
      {action: 'sayAndCapture', params: {promptMessage: 'Press 1', voiceProfile: voice, minDigits: 1, maxDigits: 1, digitTimeout: 5000, overallTimeout: 5000, completeOnHash: false, noOfTries: 1}},
    ]})

    it('--online: an unknown voice is -1002, no VCA webhook is -1004, a caller id not of the account is a -1014 warning', async () => {
      const file = await write('online.json', flow('en-GB-Emmy', '+6531590000'))
      let r = await runIvr(['callflow', 'validate', file, '--online'], {env})
      expect(r.exitCode).to.equal(4)
      expect(r.stdout).to.contain('-1004  $.callflow[1] sayAndCapture sends the digits to the VCA webhook').and.contain('-1002  $.callflow[1].params.voiceProfile')
      expect(r.stdout).to.contain('warning  $.callflow[0].params.source "+6531590000" is not one of the sub-account\'s virtual numbers')
      sb.engine.state.sub('acme').webhooks.VCA = {type: 'VCA', url: 'https://ivr.example.com/vca', enabled: true}
      r = await runIvr(['callflow', 'validate', await write('online2.json', flow('en-GB-Emma')), '--online'], {env})
      expect(r.exitCode, r.stdout).to.equal(0)
      expect(r.stdout).not.to.contain('warning')
    })
  })

  describe('offline with an account (a fake API: it counts requests, and there must be none)', () => {
    let api: Awaited<ReturnType<typeof startFakeApi>>
    let env: Record<string, string>
    before(async () => {
      api = await startFakeApi({routes: {
        'GET /speech-profiles': () => ({status: 200, body: {speechProfiles: sampleProfiles, statusCode: 1, statusMessage: 'OK'}}),
      }})
      env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl}
    })
    after(() => api.close())
    beforeEach(() => fs.rm(process.env.IVR_CACHE_DIR as string, {recursive: true, force: true}))

    const flow = (voice: string) => JSON.stringify({callflow: [
      {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
      {action: 'say', params: {text: 'Hi', voiceProfile: voice}},
    ]})

    it('offline, checks voices against the cached list once there is one', async () => {
      const file = await write('offline.json', flow('en-GB-Emmy'))
      let r = await runIvr(['callflow', 'validate', file], {env})
      expect(r.exitCode).to.equal(0)
      expect(r.stdout).to.contain('voice profiles were not checked')
      await runIvr(['profiles', 'list'], {env})
      const before = api.requests.length
      r = await runIvr(['callflow', 'validate', file], {env})
      expect(r.exitCode).to.equal(4)
      expect(r.stdout).to.contain('-1002')
      expect(api.requests.length).to.equal(before)
    })
  })

  it('passes every example in examples/callflows (VCA answers with --vca)', async () => {
    const files = await listFiles(path.join(projectRoot, 'examples', 'callflows'))
    expect(files.length).to.be.greaterThan(5)
    const vca = files.filter((f) => f.includes(`${path.sep}vca${path.sep}`))
    const requests = files.filter((f) => !vca.includes(f))
    for (const [args, list] of [[[], requests], [['--vca'], vca]] as const) {
      const r = await runIvr(['callflow', 'validate', ...args, ...list, '--json'], {env: offline})
      expect(r.exitCode, r.stdout).to.equal(0)
      const out = JSON.parse(r.stdout)
      expect(out.files.map((f: {file: string}) => f.file)).to.deep.equal(list)
      expect(out.problems.filter((p: {unchecked?: boolean; message: string}) => !p.unchecked && !p.message.startsWith('placeholder'))).to.deep.equal([])
    }
  })
})
