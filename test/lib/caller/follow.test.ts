import {expect} from 'chai'
import {PassThrough} from 'node:stream'

import {digitsHint, followCall} from '../../../src/lib/caller/follow.js'
import {makeColors} from '../../../src/lib/render/colors.js'
import {startInboundCall, type SandboxTarget} from '../../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'

describe('an interactive sandbox call (the caller typing keys)', () => {
  let sb: RunningSandbox
  let target: SandboxTarget
  beforeEach(async () => {
    sb = await startSandbox({retryDelaysMs: [1]})
    sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
    target = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId}
  })
  afterEach(() => sb.close())

  const follow = async (keys: PassThrough) => {
    const {sessionId} = await startInboundCall(target, {from: '+6598765432', to: '+6531591234', interactive: true})
    const lines: string[] = []
    const asked: string[] = []
    const call = followCall(target, sessionId, {io: {out: (l) => lines.push(l), ask: (t) => asked.push(t), warn: (t) => lines.push(`warn ${t}`)}, colors: makeColors(false), keys})
    return {call, lines, asked}
  }

  it('presses piped keys, then hangs up at the end of input: a COMPLETED session ended by the caller', async () => {
    const keys = new PassThrough()
    const {call, lines} = await follow(keys)
    keys.end('8\n')
    const t = await call.ended
    expect(t.sessionStatus).to.equal('COMPLETED')
    expect(lines.join('\n')).to.contain('caller pressed 8')
  })

  it('hangs up at once at end of input with no keys (Ctrl-D), without waiting out the capture', async () => {
    const keys = new PassThrough()
    const {call, lines, asked} = await follow(keys)
    keys.end()
    const t = await call.ended
    expect(t.sessionStatus).to.equal('COMPLETED')
    expect(t.events.filter((e) => e.kind === 'hangup').map((e) => (e as {by: string}).by)).to.deep.equal(['caller'])
    expect(lines.join('\n')).to.contain('the caller hung up')
    expect(asked.length).to.be.at.most(1)
  })

  it('hangUp() (Ctrl-C) ends a call that is waiting for keys', async () => {
    const keys = new PassThrough()
    const {call, asked} = await follow(keys)
    for (let i = 0; i < 100 && asked.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(asked[0]).to.match(/Your keys \(1 digit\)/)
    await call.hangUp()
    const t = await call.ended
    expect(t.state).to.equal('ended')
    expect(t.events.some((e) => e.kind === 'hangup' && e.by === 'caller')).to.equal(true)
    keys.end()
  })

  it('says "1 digit", not "1-1 digits"', () => {
    expect(digitsHint(1, 1)).to.equal('1 digit')
    expect(digitsHint(4, 4)).to.equal('4 digits')
    expect(digitsHint(1, 4)).to.equal('1-4 digits')
    expect(digitsHint(0, 3)).to.equal('1-3 digits')
  })
})
