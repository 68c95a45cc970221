import {expect} from 'chai'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {getTimeline, setPresses, type SandboxTarget} from '../../../src/lib/sandbox/control.js'
import {CallEngine, SandboxError, type Timeline} from '../../../src/lib/sandbox/engine.js'
import {checkPopulation, parseWeights, type Population, PopulationDraw, populationFromText} from '../../../src/lib/sandbox/population.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {capture, request, TestReceiver} from './receiver.js'

const POPULATION = {outcomes: {answer: 70, busy: 10, 'no-answer': 15, failed: 5}, presses: {'1': 60, '2': 30, none: 10}, seed: 7}
/** 2,000 fictional Singapore mobile numbers. */
const NUMBERS = Array.from({length: 2000}, (_, i) => `+659${String(1_000_000 + i).padStart(7, '0')}`)

async function raw(sb: RunningSandbox, body: unknown) {
  const res = await fetch(`${sb.baseUrl}/api/v1/subaccounts/sandbox/callflows`, {method: 'POST', headers: {'content-type': 'application/json', authorization: `Bearer ${sb.apiKey}`}, body: JSON.stringify(body)})
  return {status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json()}
}

describe('sandbox at campaign scale', () => {
  describe('the population draw', () => {
    it('gives each number a behaviour in the stated proportions', () => {
      const d = new PopulationDraw(POPULATION)
      const count = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({...acc, [v]: (acc[v] ?? 0) + 1}), {})
      const outcomes = count(NUMBERS.map((n) => d.outcome(n)!))
      const presses = count(NUMBERS.map((n) => d.presses(n)!.join('/') || 'none'))
      // 2,000 draws: each share within 3.5 points of its weight (about 3 standard deviations).
      for (const [k, w] of Object.entries(POPULATION.outcomes)) expect(outcomes[k] / NUMBERS.length * 100, k).to.be.closeTo(w, 3.5)
      for (const [k, w] of Object.entries(POPULATION.presses)) expect(presses[k] / NUMBERS.length * 100, k).to.be.closeTo(w, 3.5)
      expect(Object.keys(outcomes).sort()).to.deep.equal(['answer', 'busy', 'failed', 'no-answer'])
    })

    it('is the same for the same seed, whatever the order, and differs with another seed', () => {
      const a = new PopulationDraw(POPULATION)
      const b = new PopulationDraw({...POPULATION})
      const forward = NUMBERS.map((n) => a.outcome(n))
      const backward = [...NUMBERS].reverse().map((n) => b.outcome(n)).reverse()
      expect(backward).to.deep.equal(forward)
      // With or without the +, the same number.
      expect(a.outcome('6591000000')).to.equal(a.outcome('+6591000000'))
      const other = new PopulationDraw({...POPULATION, seed: 8})
      const changed = NUMBERS.filter((n, i) => other.outcome(n) !== forward[i]).length
      expect(changed).to.be.greaterThan(200)
    })

    it('reads flag text, and says what is wrong with a bad one', () => {
      expect(populationFromText({population: 'answer=70,busy=10,no-answer=15,failed=5', presses: '1=60,2=30,none=10,1/3=5', seed: 7})).to.deep.equal({
        outcomes: {answer: 70, busy: 10, 'no-answer': 15, failed: 5}, presses: {'1': 60, '2': 30, none: 10, '1/3': 5}, seed: 7,
      })
      expect(populationFromText({seed: 3})).to.equal(undefined)
      expect(() => populationFromText({population: 'answer=70,bussy=10'})).to.throw(/--population: "bussy" is not an outcome \(answer, busy/)
      expect(() => populationFromText({population: 'answer'})).to.throw(/--population: "answer" is not name=weight/)
      expect(() => populationFromText({presses: '1=60,x=5'})).to.throw(/--presses: "x" is not keys/)
      expect(() => populationFromText({population: 'answer=0,busy=0'})).to.throw(/add up to 0/)
      expect(() => parseWeights('busy=1,busy=2', '--population')).to.throw(/appears twice/)
      expect(checkPopulation({outcomes: {answer: -1}})).to.match(/0 or more/)
      // `maybe` is not an Outcome on purpose: the engine must refuse it.
      expect(() => new CallEngine({population: {outcomes: {maybe: 1} as unknown as Population['outcomes']}})).to.throw(SandboxError, /not an outcome/)
    })
  })

  describe('a sandbox with a population', () => {
    let sb: RunningSandbox
    let rx: TestReceiver
    let target: SandboxTarget

    beforeEach(async () => {
      sb = await startSandbox({retryDelaysMs: [1], population: POPULATION})
      rx = await new TestReceiver().start()
      target = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId}
    })
    afterEach(async () => {
      await sb.close()
      await rx.close()
    })

    const call = async (destination: string, ...actions: unknown[]): Promise<Timeline> => {
      const res = await raw(sb, request(destination, ...actions))
      expect(res.body.sessionStatus, JSON.stringify(res.body)).to.equal('CREATED')
      return getTimeline(target, res.body.sessionId, {waitMs: 10_000})
    }
    const pressed = (t: Timeline) => t.events.filter((e) => e.kind === 'capture').map((e) => e.digits)

    it('each new destination answers and presses as drawn from the seed, on every call', async () => {
      const d = new PopulationDraw(POPULATION)
      const answering = NUMBERS.find((n) => d.outcome(n) === 'answer' && d.presses(n)![0] === '2')!
      const busy = NUMBERS.find((n) => d.outcome(n) === 'busy')!
      sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
      for (let i = 0; i < 2; i++) {
        const t = await call(answering, capture())
        expect(t.sessionStatus).to.equal('COMPLETED')
        expect(pressed(t)).to.deep.equal(['2'])
      }
      expect((await call(busy, {action: 'hangup'})).sessionStatus).to.equal('BUSY')
    })

    it('magic numbers and per-destination scripts still win', async () => {
      const d = new PopulationDraw(POPULATION)
      const notBusy = NUMBERS.find((n) => d.outcome(n) !== 'busy' && d.presses(n)![0] === '1')!
      sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
      expect((await call('+12025550101', {action: 'hangup'})).sessionStatus).to.equal('BUSY')
      await setPresses(target, notBusy, '9', {outcome: 'busy'})
      expect((await call(notBusy, {action: 'hangup'})).sessionStatus).to.equal('BUSY')
      await setPresses(target, notBusy, '9', {outcome: 'answer', once: true})
      expect(pressed(await call(notBusy, capture()))).to.deep.equal(['9'])
      // The `once` script is used up: the number is back to what the population drew for it.
      expect(pressed(await call(notBusy, capture()))).to.deep.equal(['1'])
    })
  })

  describe('the platform limits', () => {
    it('--cps: Send Callflow over N per second is answered 429 with Retry-After, and accepted again a second later', async () => {
      let clock = Date.parse('2026-12-01T09:00:00Z')
      const sb = await startSandbox({cps: 2, now: () => new Date(clock)})
      try {
        const body = request('+6591234567', {action: 'hangup'})
        const answers = [await raw(sb, body), await raw(sb, body), await raw(sb, body)]
        expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 429])
        expect(answers[2].retryAfter).to.equal('1')
        expect(answers[2].body).to.include({sessionStatus: 'NOT_CREATED', statusCode: 429})
        expect(answers[2].body.statusMessage).to.match(/more than 2 Send Callflow requests per second/)
        clock += 500
        expect((await raw(sb, body)).status).to.equal(200)
        expect((await raw(sb, body)).status).to.equal(429)
      } finally {
        await sb.close()
      }
    })

    it('the CLI\'s client reports a 429 on Send Callflow as refused, not resent, and safe to send again', async () => {
      const sb = await startSandbox({cps: 1, now: () => new Date('2026-12-01T09:00:00Z')})
      try {
        const api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'test'})
        await api.sendCallflow(request('+6591234567', {action: 'hangup'}))
        const err = await api.sendCallflow(request('+6591234567', {action: 'hangup'})).catch((error) => error)
        expect(err.httpStatus).to.equal(429)
        expect(err.message).to.match(/refused this Send Callflow without acting on it \(no call was created\)\. It was not resent/)
        expect(err.message).not.to.match(/after retrying/)
        expect(err.suggestions.join(' ')).to.match(/safe to send it again after 1 s/)
        expect(sb.engine.listSessions()).to.have.length(1)
      } finally {
        await sb.close()
      }
    })

    it('--max-calls: a call over N live is created and ends with ERROR -2010; a place frees when a call is over', async () => {
      const rx = await new TestReceiver().start()
      // The first call hangs in its VCA round trip (the receiver never answers) until the 1 s VCA timeout: it stays live that long.
      const sb = await startSandbox({maxCalls: 1, retryDelaysMs: [1], vcaTimeoutMs: 1000})
      const target = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId}
      try {
        rx.handler = (r) => (r.path === '/vca' ? {hang: true} : undefined)
        sb.engine.registerWebhook('sandbox', 'VCA', `${rx.url}/vca`)
        const first = await raw(sb, request('+6591234567', capture()))
        const second = await raw(sb, request('+6591234568', {action: 'hangup'}))
        expect(second.body.sessionStatus).to.equal('CREATED')
        const t2 = await getTimeline(target, second.body.sessionId, {waitMs: 10_000})
        expect(t2.sessionStatus).to.equal('ERROR')
        expect(t2.summary!.errorDetails).to.deep.include({errorCode: -2010})
        const t1 = await getTimeline(target, first.body.sessionId, {waitMs: 10_000})
        expect(t1.summary!.errorDetails).to.deep.include({errorCode: -2003})
        expect(sb.engine.liveCallCount).to.equal(0)
        const third = await raw(sb, request('+6591234569', {action: 'hangup'}))
        expect((await getTimeline(target, third.body.sessionId, {waitMs: 10_000})).sessionStatus).to.equal('COMPLETED')
      } finally {
        await sb.close()
        await rx.close()
      }
    })
  })
})
