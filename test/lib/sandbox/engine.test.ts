import {expect} from 'chai'

import {CallEngine, collectDigits, SandboxError, type Timeline, type TimelineEvent} from '../../../src/lib/sandbox/engine.js'
import {MAGIC_DESTINATIONS, type Outcome} from '../../../src/lib/sandbox/magic.js'
import {capture, request, sayBye, TestReceiver, VOICE} from './receiver.js'

const SUB = 'engine-test'

describe('sandbox call engine', () => {
  let rx: TestReceiver
  let engine: CallEngine

  beforeEach(async () => {
    rx = await new TestReceiver().start()
    engine = new CallEngine({retryDelaysMs: [1, 1, 1], vcaTimeoutMs: 2000})
    engine.registerWebhook(SUB, 'VSS', `${rx.url}/vss`)
  })
  afterEach(() => rx.close())

  async function run(body: unknown, opts: {outcome?: Outcome} = {}): Promise<Timeline> {
    const res = engine.submitCallflow(SUB, body, opts)
    expect(res.body.sessionStatus, JSON.stringify(res.body)).to.equal('CREATED')
    return engine.waitForEnd(res.sessionId!)
  }

  const vssOf = (t: Timeline) => rx.of('/vss').filter((r) => r.body.payload.sessionId === t.sessionId)

  describe('magic destination numbers', () => {
    // docs/sandbox.md's table, written out here: the code's MAGIC_DESTINATIONS must agree with it, not define it.
    const DOCUMENTED: Array<{number: string; outcome: string; sessionStatus: string; errorCode?: number}> = [
      {number: '+12025550100', outcome: 'answer', sessionStatus: 'COMPLETED'},
      {number: '+12025550101', outcome: 'busy', sessionStatus: 'BUSY'},
      {number: '+12025550102', outcome: 'no-answer', sessionStatus: 'NO_ANSWER'},
      {number: '+12025550103', outcome: 'failed', sessionStatus: 'FAILED'},
      {number: '+12025550104', outcome: 'no-coverage', sessionStatus: 'ERROR', errorCode: -2004},
      {number: '+12025550105', outcome: 'tts-failure', sessionStatus: 'ERROR', errorCode: -2005},
      {number: '+12025550106', outcome: 'file-failure', sessionStatus: 'ERROR', errorCode: -2006},
      {number: '+12025550107', outcome: 'trunk-capacity', sessionStatus: 'ERROR', errorCode: -2010},
      {number: '+12025550108', outcome: 'caller-hangup', sessionStatus: 'COMPLETED'},
    ]

    it('the exported table is the documented one', () => {
      expect(MAGIC_DESTINATIONS.map(({number, outcome, sessionStatus, errorCode}) => ({number, outcome, sessionStatus, ...(errorCode === undefined ? {} : {errorCode})}))).to.deep.equal(DOCUMENTED)
    })

    for (const m of DOCUMENTED) {
      it(`${m.number} → ${m.outcome}: ${m.sessionStatus}${m.errorCode ? ` ${m.errorCode}` : ''}`, async () => {
        const t = await run(request(m.number, {action: 'say', params: {text: 'Your parcel arrives today', voiceProfile: VOICE}}, {action: 'playFile', params: {fileUrl: 'https://example.com/a.mp3'}}, {action: 'hangup'}))
        expect(t.sessionStatus).to.equal(m.sessionStatus)
        const [vss] = vssOf(t)
        expect(vss.body.payload.sessionStatus).to.equal(m.sessionStatus)
        expect(vss.body.payload.errorDetails?.errorCode ?? undefined).to.equal(m.errorCode)
        // No coverage and trunk capacity: the leg itself reads ERROR, as in 8x8's session status example.
        if (m.outcome === 'no-coverage' || m.outcome === 'trunk-capacity') expect(vss.body.payload.details!.callA.callStatus).to.equal('ERROR')
        if (m.outcome === 'caller-hangup') expect(t.events.some((e) => e.kind === 'hangup' && e.by === 'called-party')).to.equal(true)
      })
    }

    it('any other number answers, and the summary reads like a real call', async () => {
      const t = await run(request('+6591234567', {action: 'say', params: {text: 'Hello there, this is a reminder.', voiceProfile: VOICE, repetition: 2}}, {action: 'hangup'}))
      const s = t.summary!
      expect(s.sessionStatus).to.equal('COMPLETED')
      expect(s.lastAction).to.equal('HANGUP')
      expect(s.clientRequestId).to.equal('req-1')
      const a = s.details.callA
      // 4 s of ringing, then two repetitions of the text on the virtual clock.
      expect(Date.parse(a.connectedTimestamp!) - Date.parse(a.initiatedTimestamp)).to.equal(4000)
      expect(a.callDuration).to.be.at.least(4)
      expect(a.callQuality!.mos).to.be.within(3.9, 4.5)
    })

    it('a per-request outcome overrides the number, and a per-destination one too', async () => {
      expect((await run(request('+6591234567', {action: 'hangup'}), {outcome: 'busy'})).sessionStatus).to.equal('BUSY')
      engine.setOutcome(SUB, '+6591234568', 'no-answer')
      expect((await run(request('+6591234568', {action: 'hangup'}))).sessionStatus).to.equal('NO_ANSWER')
    })
  })

  describe('sayAndCapture rules', () => {
    const rule = {maxDigits: 4, onHash: true, digitTimeout: 3000, overall: 10_000}
    it('stops at maxDigits, at # (not captured), or on a timeout', () => {
      expect(collectDigits('123456', rule)).to.include({digits: '1234', ended: 'max-digits'})
      expect(collectDigits('12#3', rule)).to.include({digits: '12', ended: 'hash'})
      expect(collectDigits('12', rule)).to.deep.equal({digits: '12', ended: 'digit-timeout', elapsed: 1500 + 3000})
      expect(collectDigits('', rule)).to.deep.equal({digits: '', ended: 'overall-timeout', elapsed: 10_000})
      expect(collectDigits('12', {...rule, digitTimeout: 20_000})).to.include({ended: 'overall-timeout', elapsed: 10_000})
    })
    it('ends input when the next key comes later than digitTimeout after the previous one', () => {
      // Keys come 0.5 s apart: a 400 ms digitTimeout ends input after the first.
      expect(collectDigits('1234', {...rule, digitTimeout: 400})).to.deep.equal({digits: '1', ended: 'digit-timeout', elapsed: 1000 + 400})
      expect(collectDigits('1234', {...rule, digitTimeout: 600})).to.include({digits: '1234', ended: 'max-digits'})
    })

    it('a capture with a short digitTimeout takes the first key only', async () => {
      engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
      rx.handler = (r) => (r.path === '/vca' ? {body: sayBye()} : undefined)
      engine.setPresses(SUB, '+6591230005', '1234')
      const t = await run(request('+6591230005', capture({maxDigits: 4, digitTimeout: 400, overallTimeout: 10_000})))
      expect(rx.of('/vca')[0].body.payload.eventData).to.deep.equal({dtmf: '1'})
      expect(t.events.find((e) => e.kind === 'capture')).to.include({digits: '1', ended: 'digit-timeout'})
    })

    it('treats # as a key when completeOnHash is false', () => {
      expect(collectDigits('1#', {...rule, onHash: false})).to.include({digits: '1#', ended: 'digit-timeout'})
    })

    it('retries with the failure message, then sends the digits with the success message played', async () => {
      engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`, 'Basic c2VjcmV0')
      rx.handler = (r) => (r.path === '/vca' ? {body: sayBye()} : undefined)
      engine.setPresses(SUB, '+6591230001', ',12,4')
      const t = await run(request('+6591230001', capture({noOfTries: 3, minDigits: 1, maxDigits: 1, failureMessage: 'Sorry, try again', successMessage: 'Thank you'})))
      const captures = t.events.filter((e) => e.kind === 'capture')
      expect(captures.map((e) => e.digits)).to.deep.equal([null, '1'])
      expect(t.events.filter((e) => e.kind === 'say' && e.role === 'failure')).to.have.length(1)
      expect(t.events.filter((e) => e.kind === 'say' && e.role === 'success')).to.have.length(1)
      const [vca] = rx.of('/vca')
      expect(vca.headers.authorization).to.equal('Basic c2VjcmV0')
      expect(vca.body).to.include({namespace: 'VOICE', eventType: 'CALL_ACTION'})
      expect(vca.body.payload).to.include({callStatus: 'ACTION_COMPLETED', callDirection: 'OUTBOUND', sessionId: t.sessionId})
      expect(vca.body.payload.eventData).to.deep.equal({dtmf: '1'})
      expect(t.sessionStatus).to.equal('COMPLETED')
    })

    it('sends dtmf null when nothing valid was captured, and minDigits counts', async () => {
      engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
      rx.handler = (r) => (r.path === '/vca' ? {body: sayBye()} : undefined)
      engine.setPresses(SUB, '+6591230002', ['1', '2'])
      await run(request('+6591230002', capture({minDigits: 2, maxDigits: 4, noOfTries: 2, completeOnHash: true})))
      expect(rx.of('/vca')[0].body.payload.eventData).to.deep.equal({dtmf: null})
    })

    it('runs on a virtual clock: a 30 s timeout passes without waiting', async () => {
      engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
      rx.handler = (r) => (r.path === '/vca' ? {body: sayBye()} : undefined)
      const t = await run(request('+6591230003', capture({digitTimeout: 30_000, overallTimeout: 30_000})))
      const cap = t.events.find((e) => e.kind === 'capture')!
      const answered = t.events.find((e) => e.kind === 'call' && e.status === 'answered')!
      expect(Date.parse(cap.at) - Date.parse(answered.at)).to.be.at.least(30_000)
      expect(cap.ended).to.equal('overall-timeout')
    })

    it('echoes the previous clientActionId in the next VCA, and runs the answer\'s next menu', async () => {
      engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
      let n = 0
      rx.handler = (r) => {
        if (r.path !== '/vca') return undefined
        n++
        return n === 1 ? {body: {clientActionId: 'menu-2', callflow: [capture({promptMessage: 'Second menu'})]}} : {body: sayBye()}
      }
      engine.setPresses(SUB, '+6591230004', '1,2')
      const t = await run(request('+6591230004', capture()))
      const vcas = rx.of('/vca')
      expect(vcas.map((r) => r.body.payload.eventData!.dtmf)).to.deep.equal(['1', '2'])
      expect(vcas[0].body.payload.clientActionId).to.equal(null)
      expect(vcas[1].body.payload.clientActionId).to.equal('menu-2')
      expect(t.summary!.lastAction).to.equal('HANGUP')
    })
  })

  describe('VCA failures end the session with ERROR -2003', () => {
    const cases: Array<[string, () => void, RegExp]> = [
      ['non-200', () => { rx.handler = (r) => (r.path === '/vca' ? {status: 500, body: {}} : undefined) }, /HTTP 500/],
      ['malformed', () => { rx.handler = (r) => (r.path === '/vca' ? {raw: '<html>oops'} : undefined) }, /not a JSON object/],
      ['invalid answer', () => { rx.handler = (r) => (r.path === '/vca' ? {body: {callflow: [{action: 'dance'}]}} : undefined) }, /invalid \(-1007\)/],
      ['timeout', () => { rx.handler = (r) => (r.path === '/vca' ? {hang: true} : undefined) }, /timed out after 100 ms/],
    ]
    for (const [name, setup, message] of cases) {
      it(name, async () => {
        // 100 ms only where the timeout is the case: on a loaded machine the other answers took longer than that.
        engine = new CallEngine({retryDelaysMs: [1], vcaTimeoutMs: name === 'timeout' ? 100 : 5000})
        engine.registerWebhook(SUB, 'VSS', `${rx.url}/vss`)
        engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
        setup()
        engine.setPresses(SUB, '+6591230010', '1')
        const t = await run(request('+6591230010', capture()))
        expect(t.sessionStatus).to.equal('ERROR')
        expect(t.summary!.errorDetails!.errorCode).to.equal(-2003)
        expect(t.summary!.errorDetails!.errorMsg).to.match(message)
        expect(t.summary!.lastAction).to.equal('SAY_AND_CAPTURE')
      })
    }
  })

  it('a makeCall in a VCA answer bridges a second leg, itself subject to magic outcomes', async () => {
    engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
    rx.handler = (r) => (r.path === '/vca' ? {body: {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: r.body.payload.eventData!.dtmf === '1' ? '+6591112222' : '+12025550101'}}]}} : undefined)
    engine.setPresses(SUB, '+6591230020', '1')
    engine.setPresses(SUB, '+6591230021', '2')
    const ok = await run(request('+6591230020', capture()))
    expect(ok.summary!.callCount).to.equal(2)
    expect(ok.summary!.details.callB!.callStatus).to.equal('COMPLETED')
    expect(ok.summary!.details.callB!.callDuration).to.equal(30)
    const busy = await run(request('+6591230021', capture()))
    expect(busy.summary!.details.callB!.callStatus).to.equal('BUSY')
    // As in 8x8's session summary example: callB BUSY, the session BUSY.
    expect(busy.sessionStatus).to.equal('BUSY')
    expect(busy.summary!.sessionStatus).to.equal('BUSY')
  })

  it('a bridged leg that does not answer or fails gives the session its status', async () => {
    engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
    const bridgeTo: Record<string, string> = {'+6591230023': '+12025550102', '+6591230024': '+12025550103'}
    rx.handler = (r) => (r.path === '/vca' ? {body: {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: bridgeTo[r.body.payload.destination!]}}, {action: 'say', params: {text: 'Sorry, nobody is free.', voiceProfile: VOICE}}]}} : undefined)
    const noAnswer = await run(request('+6591230023', capture()))
    expect(noAnswer.summary!.details.callB!.callStatus).to.equal('NO_ANSWER')
    expect(noAnswer.sessionStatus).to.equal('NO_ANSWER')
    // The callflow went on after the failed bridge.
    expect(noAnswer.events.some((e) => e.kind === 'say' && e.text === 'Sorry, nobody is free.')).to.equal(true)
    const failed = await run(request('+6591230024', capture()))
    expect(failed.summary!.details.callB!.callStatus).to.equal('FAILED')
    expect(failed.sessionStatus).to.equal('FAILED')
  })

  it('runs a VCA answer with a valid E.164 source that is implausible for its country (8x8\'s VCA guide uses +65123456789)', async () => {
    engine = new CallEngine({retryDelaysMs: [1], enforceSourceNumbers: false})
    engine.registerWebhook(SUB, 'VSS', `${rx.url}/vss`)
    engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
    rx.handler = (r) => (r.path === '/vca' ? {body: {clientActionId: 'transfer', callflow: [{action: 'makeCall', params: {source: '+65123456789', destination: '+6598765432'}}]}} : undefined)
    const t = await run(request('+6591230025', capture()))
    expect(t.summary!.errorDetails).to.equal(null)
    expect(t.summary!.details.callB!.source).to.equal('+65123456789')
    expect(t.sessionStatus).to.equal('COMPLETED')
  })

  it('a bridged leg from a caller id outside the sub-account ends the session with ERROR -2008', async () => {
    engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
    rx.handler = (r) => (r.path === '/vca' ? {body: {callflow: [{action: 'makeCall', params: {source: '+6580000000', destination: '+6591112222'}}]}} : undefined)
    const t = await run(request('+6591230022', capture()))
    expect(t.summary!.errorDetails).to.deep.include({errorCode: -2008})
    expect(t.summary!.callCount).to.equal(1)
  })

  describe('inbound calls', () => {
    it('start with a CALL_RECEIVED VCA, then follow the answer', async () => {
      engine.registerWebhook(SUB, 'VCA', `${rx.url}/vca`)
      rx.handler = (r) => {
        if (r.path !== '/vca') return undefined
        return r.body.payload.callStatus === 'CALL_RECEIVED' ? {body: {clientActionId: 'main', callflow: [capture()]}} : {body: sayBye(`You chose ${r.body.payload.eventData!.dtmf}`)}
      }
      const id = engine.startInbound({subAccountId: SUB, from: '+6598765432', to: '+6531591234', presses: '3'})
      const t = await engine.waitForEnd(id)
      const [first, second] = rx.of('/vca')
      expect(first.body.payload).to.include({callStatus: 'CALL_RECEIVED', callDirection: 'INBOUND', source: '+6598765432', destination: '+6531591234', destinationRefId: 'SBX-SG-0001'})
      expect(second.body.payload).to.include({clientActionId: 'main'})
      expect(second.body.payload.eventData!.dtmf).to.equal('3')
      expect(t.events.some((e) => e.kind === 'say' && e.text === 'You chose 3')).to.equal(true)
      expect(t.summary!.details.callA.callDirection).to.equal('INBOUND')
    })

    it('refuses a number that is not a virtual number, or a sub-account without a VCA webhook', () => {
      expect(() => engine.startInbound({subAccountId: SUB, from: '+6598765432', to: '+6590000000'})).to.throw(SandboxError, /not a virtual number/)
      expect(() => engine.startInbound({subAccountId: SUB, from: '+6598765432', to: '+6531591234'})).to.throw(SandboxError, /no VCA webhook/)
    })
  })

  it('stamps a session on the virtual clock as having ended when it actually finished: nothing in the future', async () => {
    engine.registerWebhook(SUB, 'VCS', `${rx.url}/vcs`)
    const before = Date.now()
    // 4 s of ringing and about a minute of speech, run in milliseconds.
    const t = await run(request('+6591230031', {action: 'say', params: {text: 'x'.repeat(900), voiceProfile: VOICE}}, {action: 'hangup'}))
    const after = Date.now()
    const s = t.summary!
    expect(Date.parse(s.endTime)).to.be.within(before, after)
    expect(Date.parse(s.endTime) - Date.parse(s.startTime)).to.be.at.least(60_000)
    expect(Date.parse(t.startedAt)).to.equal(Date.parse(s.startTime))
    const stamps = [t.startedAt, s.startTime, s.endTime, s.details.callA.initiatedTimestamp, s.details.callA.connectedTimestamp!, s.details.callA.disconnectedTimestamp, ...t.events.map((e) => e.at), ...rx.of('/vcs').map((r) => r.body.payload.timestamp!)]
    expect(stamps.filter((x) => Date.parse(x) > after)).to.deep.equal([])
    const [listed] = engine.listSessions(SUB).filter((l) => l.sessionId === t.sessionId)
    expect(Date.parse(listed.endedAt!)).to.be.at.most(after)
  })

  it('sends VCS ringing/answered/disconnected when a VCS webhook is registered', async () => {
    engine.registerWebhook(SUB, 'VCS', `${rx.url}/vcs`)
    await run(request('+6591230030', {action: 'hangup'}))
    const vcs = rx.of('/vcs')
    expect(vcs.map((r) => r.body.payload.callStatus)).to.deep.equal(['RINGING', 'ANSWERED', 'DISCONNECTED'])
    expect(vcs.every((r) => r.body.eventType === 'CALL_STATUS')).to.equal(true)
  })

  it('retries a failed VSS delivery with backoff, and records each attempt', async () => {
    let fails = 2
    rx.handler = (r) => (r.path === '/vss' && fails-- > 0 ? {status: 503} : undefined)
    const t = await run(request('+6591230040', {action: 'hangup'}))
    const attempts = t.events.filter((e): e is Extract<TimelineEvent, {kind: 'webhook'}> => e.kind === 'webhook' && e.type === 'VSS')
    expect(attempts.map((e) => e.response!.status)).to.deep.equal([503, 503, 200])
    expect(vssOf(t)).to.have.length(3)
  })

  it('with duplicates, delivers some VSS twice (the first included)', async () => {
    engine = new CallEngine({duplicates: true, retryDelaysMs: [1]})
    engine.registerWebhook(SUB, 'VSS', `${rx.url}/vss`)
    const t1 = await run(request('+6591230050', {action: 'hangup'}))
    const t2 = await run(request('+6591230051', {action: 'hangup'}))
    expect(vssOf(t1)).to.have.length(2)
    expect(vssOf(t2)).to.have.length(1)
  })

  it('evicts the oldest finished sessions past its limit', async () => {
    engine = new CallEngine({maxSessions: 2})
    const ids: string[] = []
    for (let i = 0; i < 4; i++) ids.push((await run(request('+6591230060', {action: 'hangup'}))).sessionId)
    expect(engine.listSessions().map((s) => s.sessionId)).to.deep.equal(ids.slice(2))
    expect(engine.timeline(ids[0])).to.equal(undefined)
  })

  it('refuses what the platform refuses: -1004 without a VCA webhook, -1014 for a foreign source', () => {
    const noVca = engine.submitCallflow(SUB, request('+6591230070', capture()))
    expect(noVca.httpStatus).to.equal(400)
    expect(noVca.body).to.include({sessionStatus: 'NOT_CREATED', statusCode: -1004})
    const foreign = engine.submitCallflow(SUB, {callflow: [{action: 'makeCall', params: {source: '+6580000000', destination: '+6591230070'}}, {action: 'hangup'}]})
    expect(foreign.body).to.include({statusCode: -1014})
    const lax = new CallEngine({enforceSourceNumbers: false})
    expect(lax.submitCallflow(SUB, {callflow: [{action: 'makeCall', params: {source: '+6580000000', destination: '+6591230070'}}, {action: 'hangup'}]}).body.statusCode).to.equal(1)
  })
})
