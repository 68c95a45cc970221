import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {createCampaign} from '../../../src/lib/campaign/create.js'
import {readSettings, type CampaignSettings} from '../../../src/lib/campaign/definition.js'
import type {ContactResult} from '../../../src/lib/campaign/journal.js'
import {LocalCampaignStore} from '../../../src/lib/campaign/local-journal.js'
import {runCampaign, type CampaignRunEvent, type RunCampaignOptions} from '../../../src/lib/campaign/run.js'
import type {RunEvent} from '../../../src/lib/campaign/runner.js'
import {listSessions} from '../../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {storeFileFor} from '../../../src/lib/sessions/store.js'
import {projectRoot} from '../../helpers/run.js'

const MENU = path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml')

describe('campaign run on the sandbox (runner, receiver, menu server, journal)', function () {
  this.timeout(60_000)
  let dir: string
  let sb: RunningSandbox
  let api: VoiceApi
  let store: LocalCampaignStore

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-camp-run-'))
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'test', retries: 0})
    store = new LocalCampaignStore(path.join(dir, 'data'))
  })
  afterEach(async () => {
    await sb.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  async function create(name: string, csv: string, over: CampaignSettings = {}) {
    const contacts = path.join(dir, `${name}.csv`)
    await fs.writeFile(contacts, csv)
    const report = await createCampaign(readSettings({name, contacts, menu: MENU, from: '+6531591234', rate: 50, maxLive: 5, ...over}), {store})
    expect(report.problems.filter((p) => p.severity === 'error')).to.deep.equal([])
    expect(report.created).to.equal(true)
  }

  async function run(name: string, extra: Partial<RunCampaignOptions> = {}) {
    const events: CampaignRunEvent[] = []
    const journal = await store.open(name)
    try {
      const result = await runCampaign({
        journal, api, configDir: path.join(dir, 'config'), account: sb.subAccountId, baseUrl: sb.baseUrl, storeFile: storeFileFor(path.join(dir, 'data'), sb.subAccountId),
        sandbox: true, host: '127.0.0.1', port: 0, pid: process.pid, onEvent: (e) => events.push(e), warn: () => {}, drainMs: 5000, ...extra,
      })
      return {result, events}
    } finally {
      await journal.close()
    }
  }

  async function results(name: string): Promise<ContactResult[]> {
    const j = await store.open(name)
    try {
      const out = []
      for await (const r of j.results()) out.push(r)
      return out
    } finally {
      await j.close()
    }
  }

  const perDestination = async () => {
    const counts = new Map<string, number>()
    for (const s of await listSessions(sb)) counts.set(s.destination, (counts.get(s.destination) ?? 0) + 1)
    return counts
  }

  it('calls every contact once through the menu, records digits and path, and retries BUSY as the policy says', async () => {
    await create('r1', 'phone,name\n+6591230001,Ann\n+6591230002,Bob\n+6591230003,Cy\n+12025550101,Busy Bee\n', {retry: 'busy:1:200ms'})
    sb.engine.setPresses(sb.subAccountId, '+6591230001', ['1'])
    sb.engine.setPresses(sb.subAccountId, '+6591230002', ['3'])
    const {result, events} = await run('r1')
    expect(result.reason).to.equal('finished')
    const rows = await results('r1')
    const by = Object.fromEntries(rows.map((r) => [r.contact.number, r]))
    expect(by['+6591230001'].outcome).to.equal('COMPLETED')
    expect(by['+6591230001'].attempts[0].steps).to.deep.equal([{node: 'reminder', taken: '1'}])
    expect(by['+6591230002'].attempts[0].steps).to.deep.equal([{node: 'reminder', taken: '3'}])
    expect(by['+6591230001'].contact.vars.name).to.equal('Ann')
    expect(by['+12025550101'].outcome).to.equal('BUSY')
    expect(by['+12025550101'].attempts.map((a) => a.status)).to.deep.equal(['BUSY', 'BUSY'])
    const sessions = await perDestination()
    expect(Object.fromEntries(sessions)).to.deep.equal({'+6591230001': 1, '+6591230002': 1, '+6591230003': 1, '+12025550101': 2})
    // Each request carried campaign/contact/attempt.
    const calls = events.filter((e): e is Extract<RunEvent, {type: 'call'}> => e.type === 'call')
    expect(calls.map((c) => c.clientRequestId).sort()).to.deep.equal(['r1/1/1', 'r1/2/1', 'r1/3/1', 'r1/4/1', 'r1/4/2'])
    // The webhooks it registered for the run are gone again.
    expect((await api.listWebhooks()).webhooks).to.deep.equal([])
  })

  it('run again after it finished is refused, and nobody is called', async () => {
    await create('r2', 'phone\n+6591230001\n')
    await run('r2')
    try {
      await run('r2')
      expect.fail('ran a finished campaign')
    } catch (error) {
      expect((error as Error).message).to.match(/finished: there is nobody left to call/)
    }
    expect(Object.fromEntries(await perDestination())).to.deep.equal({'+6591230001': 1})
  })

  it('a POST that may have reached the platform makes the contact uncertain: its summary settles it; without one it is never dialed again unless --retry-uncertain', async () => {
    await create('r3', 'phone\n+6591230001\n+6591230002\n+6591230003\n')
    const {ApiError} = await import('../../../src/lib/api/errors.js')
    const lost = () => new ApiError('timed out', {code: 'TIMEOUT', exitCode: 6, mayHaveReachedServer: true})
    const {result} = await run('r3', {
      send: async (r) => {
        // Created, answer lost: the summary (it carries the request id) settles it.
        if (r.clientRequestId === 'r3/1/1') {
          await api.sendCallflow(r)
          throw lost()
        }
        // Maybe sent, never created: stays uncertain.
        if (r.clientRequestId === 'r3/2/1') throw lost()
        return api.sendCallflow(r)
      },
    })
    expect(result.reason).to.equal('finished')
    expect(result.counts.uncertain).to.equal(1)
    expect(result.counts.byOutcome).to.deep.equal({COMPLETED: 2})
    expect(Object.fromEntries(await perDestination())).to.deep.equal({'+6591230001': 1, '+6591230003': 1})
    // Run again: refused (finished), nobody called; --retry-uncertain calls the uncertain one, with a new attempt number.
    const again = await run('r3', {retryUncertain: true})
    expect(again.result.counts.uncertain).to.equal(0)
    expect(again.events.filter((e): e is Extract<RunEvent, {type: 'call'}> => e.type === 'call').map((e) => e.clientRequestId)).to.deep.equal(['r3/2/2'])
    expect(Object.fromEntries(await perDestination())).to.deep.equal({'+6591230001': 1, '+6591230002': 1, '+6591230003': 1})
  })

  it('stops starting calls when aborted, and run again resumes where it stopped', async () => {
    const numbers = Array.from({length: 40}, (_, i) => `+659123${String(1000 + i)}`)
    await create('r4', `phone\n${numbers.join('\n')}\n`, {rate: 20})
    const controller = new AbortController()
    let created = 0
    const first = await run('r4', {signal: controller.signal, onEvent: (e) => {
      if (e.type === 'call' && ++created === 10) controller.abort()
    }})
    expect(first.result.reason).to.equal('stopped')
    // The calls already under way when it stopped (at most --max-live) finish; no new one starts.
    expect(first.result.counts.attempts).to.be.within(10, 10 + 5)
    expect(first.result.counts.pending).to.be.at.least(40 - 15)
    const second = await run('r4')
    expect(second.result.reason).to.equal('finished')
    const sessions = await perDestination()
    expect(sessions.size).to.equal(40)
    expect([...sessions.values()].every((n) => n === 1)).to.equal(true)
  })

  it('says paused only once the requests it had sent are answered: no call is reported after it', async () => {
    const numbers = Array.from({length: 12}, (_, i) => `+659123${String(2000 + i)}`)
    await create('r6', `phone\n${numbers.join('\n')}\n`, {rate: 20})
    const control = await store.open('r6')
    let paused = false
    const seen: CampaignRunEvent[] = []
    const {result} = await run('r6', {
      send: async (r) => {
        // The third request is under way when the pause comes, and its answer takes longer than the
        // runner takes to see the pause (it looks every 250 ms).
        if (r.clientRequestId === 'r6/3/1') {
          await control.setStatus('paused')
          paused = true
          await new Promise((resolve) => setTimeout(resolve, 800))
        }
        return api.sendCallflow(r)
      },
      onEvent: (e) => {
        seen.push(e)
        // Paused for good: cancelling lets the run end.
        if (e.type === 'paused') void control.setStatus('cancelled')
      },
    })
    await control.close()
    expect(paused).to.equal(true)
    expect(result.reason).to.equal('cancelled')
    const kinds = seen.map((e) => e.type)
    expect(kinds).to.include('paused')
    expect(kinds.slice(kinds.indexOf('paused')).filter((k) => k === 'call'), 'calls reported after "paused"').to.deep.equal([])
  })

  it('a caller id the sub-account does not own stops the run at the first refusal, and marks nobody', async () => {
    await create('r5', 'phone\n+6591230001\n+6591230002\n', {from: '+6531599999'})
    const {result} = await run('r5')
    expect(result.reason).to.equal('failed')
    expect(result.error?.message).to.match(/-1014/)
    expect(result.counts.byOutcome).to.deep.equal({})
    expect(result.counts.pending).to.equal(2)
  })
})
