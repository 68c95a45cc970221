import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {Readable} from 'node:stream'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {IvrError} from '../../../src/lib/errors.js'
import {recordingOutput} from '../../../src/lib/output.js'
import {makeColors} from '../../../src/lib/render/colors.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {CallflowSender, quickStepsFrom, type SendContext, type SendFlags} from '../../../src/lib/send/send-callflow.js'
import {listSessions} from '../../../src/lib/sandbox/control.js'

describe('the send-callflow service (in-process, on a real sandbox)', () => {
  let dir: string
  let sb: RunningSandbox
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-send-'))
    sb = await startSandbox({host: '127.0.0.1', port: 0})
  })
  afterEach(async () => {
    await sb.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  function context(opts: {account?: boolean} = {}) {
    const output = recordingOutput()
    const creds = {account: sb.subAccountId, apiKey: sb.apiKey, baseUrl: sb.baseUrl, source: 'sandbox' as const, sources: {account: 'sandbox' as const, apiKey: 'sandbox' as const, baseUrl: 'sandbox' as const}}
    const noAccount = () => Promise.reject(new IvrError('No account is set up.', {code: 'NO_ACCOUNT', exitCode: 3}))
    const ctx: SendContext = {
      output, colors: makeColors(false), errColors: makeColors(false),
      paths: {configDir: path.join(dir, 'config'), cacheDir: path.join(dir, 'cache'), dataDir: path.join(dir, 'data')},
      api: opts.account === false ? noAccount : async () => new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'test', retries: 0}),
      credentials: opts.account === false ? noAccount : async () => creds,
      stdin: Readable.from([]), pid: process.pid,
    }
    return {ctx, said: output.said}
  }
  const flags = (over: Partial<SendFlags> = {}): SendFlags => ({validate: true, timeout: '5m', sandbox: true, ...over})
  const quick = {from: '+6531591234', to: '+6591234567'}

  it('keeps the step flags in the order they were typed', () => {
    const raw = [
      {type: 'flag', flag: 'say', input: 'Hi'}, {type: 'flag', flag: 'from', input: '+65'}, {type: 'flag', flag: 'capture', input: 'Press 1'},
      {type: 'arg', input: 'x'}, {type: 'flag', flag: 'voice', input: 'en-GB-Emma'}, {type: 'flag', flag: 'play', input: 'https://x/a.mp3'}, {type: 'flag', flag: 'hangup', input: ''},
    ]
    expect(quickStepsFrom(raw)).to.deep.equal([
      {kind: 'say', text: 'Hi'}, {kind: 'capture', prompt: 'Press 1'}, {kind: 'voice', profile: 'en-GB-Emma'}, {kind: 'play', url: 'https://x/a.mp3'}, {kind: 'hangup'},
    ])
  })

  it('sends once, prints the session, and with --wait gives the session outcome', async () => {
    const {ctx, said} = context()
    const {result, exit} = await new CallflowSender(ctx, flags({...quick, wait: true}), {steps: [{kind: 'say', text: 'Hello'}, {kind: 'hangup'}]}).run()
    expect(exit).to.equal(undefined)
    expect(said.out[0]).to.match(/^✔ Session \S+ CREATED\n {2}request id/)
    expect(result.dryRun).to.not.equal(true)
    expect(result).to.have.nested.property('outcome.sessionStatus', 'COMPLETED')
    expect(await listSessions({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId})).to.have.length(1)
  })

  it('returns the outcome exit code and message when the session does not complete (a busy number)', async () => {
    const {ctx} = context()
    const {result, exit} = await new CallflowSender(ctx, flags({from: quick.from, to: '+12025550101', wait: true}), {steps: [{kind: 'hangup'}]}).run()
    expect(exit).to.deep.equal({code: 7, message: 'The session ended BUSY, not COMPLETED.'})
    expect(result).to.have.nested.property('outcome.sessionStatus', 'BUSY')
  })

  it('a dry run with no account prints the request for SUBACCOUNT and sends nothing', async () => {
    const {ctx, said} = context({account: false})
    const {result} = await new CallflowSender(ctx, flags({...quick, 'dry-run': true, sandbox: false}), {steps: [{kind: 'say', text: 'Hi'}]}).run()
    expect(result.dryRun).to.equal(true)
    expect(said.out[0]).to.match(/^POST https:\/\/voice\.8x8\.com\/.*SUBACCOUNT.*\ncontent-type: application\/json\n\n\{/)
    expect(said.status).to.deep.equal(['(no account set up: SUBACCOUNT stands for your sub-account id)', 'Dry run: nothing was sent.'])
    expect(await listSessions({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId})).to.have.length(0)
  })

  it('refuses a callflow with errors (exit 4), saying each problem as a notice, and sends nothing', async () => {
    const file = path.join(dir, 'bad.json')
    await fs.writeFile(file, JSON.stringify({callflow: [{action: 'say', params: {text: 'no call first'}}]}, null, 2))
    const {ctx, said} = context()
    const error = await new CallflowSender(ctx, flags(), {file, steps: []}).run().catch((e: unknown) => e)
    expect(error).to.be.instanceOf(IvrError).with.property('exitCode', 4)
    expect(said.notice.join('\n')).to.include('bad.json:')
    expect(await listSessions({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId})).to.have.length(0)
  })
})
