/**
 * What every CampaignJournal must do, as one suite any implementation runs against itself:
 * `journalContract('local file', async () => ({store, cleanup}))`. The PostgreSQL journal runs the
 * same suite against its real server.
 */
import {expect} from 'chai'

import type {CampaignJournal, CampaignStore, Claim, ClaimResult} from '../../../src/lib/campaign/journal.js'
import type {CampaignDefinition} from '../../../src/lib/campaign/model.js'

export function definitionFor(name: string, over: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    name, createdAt: new Date().toISOString(), contactsFile: 'contacts.csv', numberColumn: 'phone', columns: ['name'],
    content: {kind: 'callflow', file: 'flow.json', template: {callflow: []}}, from: ['+6531591234'], rate: 10, maxLive: 5,
    retry: {BUSY: {retries: 1, delayMs: 60_000}}, validForMs: 60_000, liveTimeoutMs: 600_000, ...over,
  }
}

export async function createCampaign(store: CampaignStore, name: string, numbers: string[], over: Partial<CampaignDefinition> = {}): Promise<void> {
  const w = await store.create(definitionFor(name, over), {})
  let row = 2
  for (const n of numbers) await w.addContact({row: row++, number: n, vars: {name: `person ${row}`}})
  await w.addSkipped({row: row, number: '+65', reason: 'invalid', detail: 'is too short'})
  await w.commit()
}

const claimOf = async (j: CampaignJournal, runner = 'r1', now = Date.now(), maxLive = 100): Promise<Claim> => {
  const r = await j.claimNext(runner, now, {maxLive})
  if (!('claim' in r)) throw new Error(`expected a claim, got ${JSON.stringify(r)}`)
  return r.claim
}

export function journalContract(label: string, setup: () => Promise<{store: CampaignStore; reopen?: () => Promise<CampaignStore>; cleanup(): Promise<void>}>): void {
  describe(`campaign journal contract: ${label}`, () => {
    let store: CampaignStore
    let reopen: (() => Promise<CampaignStore>) | undefined
    let cleanup: () => Promise<void>
    const open: CampaignJournal[] = []
    const openJ = async (s: CampaignStore, name: string) => {
      const j = await s.open(name)
      open.push(j)
      return j
    }
    beforeEach(async () => {
      ;({store, reopen, cleanup} = await setup())
    })
    afterEach(async () => {
      for (const j of open.splice(0)) await j.close().catch(() => {})
      await store.close()
      await cleanup()
    })

    it('stores the definition, the contacts in order and the skipped rows', async () => {
      await createCampaign(store, 'c1', ['+6591230001', '+6591230002'])
      const j = await openJ(store, 'c1')
      expect(j.definition.rate).to.equal(10)
      expect(await j.status()).to.equal('ready')
      const rows = []
      for await (const r of j.results()) rows.push(r)
      expect(rows.map((r) => [r.contact.id, r.contact.row, r.contact.number, r.outcome])).to.deep.equal([[1, 2, '+6591230001', 'PENDING'], [2, 3, '+6591230002', 'PENDING']])
      expect(rows[0].contact.vars.name).to.be.a('string')
      const skipped = []
      for await (const s of j.skipped()) skipped.push(s)
      expect(skipped).to.deep.equal([{row: 4, number: '+65', reason: 'invalid', detail: 'is too short'}])
      expect((await j.counts()).skipped).to.equal(1)
    })

    it('refuses a name that exists; replacing is allowed only while nobody was dialed', async () => {
      await createCampaign(store, 'c2', ['+6591230001'])
      try {
        await store.create(definitionFor('c2'), {})
        expect.fail('created twice')
      } catch (error) {
        expect((error as Error).message).to.match(/exists/)
      }
      const w = await store.create(definitionFor('c2', {rate: 3}), {replace: true})
      await w.addContact({row: 2, number: '+6591230009', vars: {}})
      await w.commit()
      const j = await openJ(store, 'c2')
      expect(j.definition.rate).to.equal(3)
      const c = await claimOf(j)
      await j.recordIntent(c, {at: Date.now(), from: '+6531591234', validUntil: new Date().toISOString()})
      await j.close()
      try {
        await store.create(definitionFor('c2'), {replace: true})
        expect.fail('replaced a campaign that dialed')
      } catch (error) {
        expect((error as Error).message).to.match(/dialed/)
      }
    })

    it('hands each contact out once, with campaign/contact/attempt as the request id, and holds the live limit', async () => {
      await createCampaign(store, 'c3', ['+6591230001', '+6591230002', '+6591230003'])
      const j = await openJ(store, 'c3')
      await j.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      const a = await claimOf(j, 'r1', Date.now(), 2)
      const b = await claimOf(j, 'r1', Date.now(), 2)
      expect([a.contact.id, b.contact.id]).to.deep.equal([1, 2])
      expect(a.clientRequestId).to.equal('c3/1/1')
      expect(await j.claimNext('r1', Date.now(), {maxLive: 2})).to.deep.equal({wait: 'live-limit'})
      await j.release(b, Date.now() + 60_000)
      const c = await claimOf(j, 'r1', Date.now(), 2)
      expect(c.contact.id).to.equal(3)
      await j.release(a, Date.now() + 120_000)
      await j.release(c, Date.now() + 120_000)
      const r = await j.claimNext('r1', Date.now(), {maxLive: 2})
      expect(r).to.have.property('wait', 'due')
      expect((r as Extract<ClaimResult, {wait: 'live-limit' | 'due'}>).nextDueAt).to.be.greaterThan(Date.now())
    })

    it('follows a call from intent to outcome, and schedules the retry the caller asks for', async () => {
      await createCampaign(store, 'c4', ['+6591230001'])
      const j = await openJ(store, 'c4')
      await j.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      const now = Date.now()
      const c = await claimOf(j, 'r1', now)
      await j.recordIntent(c, {at: now, from: '+6531591234', validUntil: new Date(now + 60_000).toISOString()})
      expect((await j.counts()).dialing).to.equal(1)
      await j.recordCreated(c, 'sess-1', now + 5)
      expect(await j.recordStep('sess-1', {node: 'main', taken: '1'})).to.equal(true)
      expect((await j.counts()).live).to.equal(1)
      expect(await j.recordOutcome(1, 1, {sessionId: 'sess-1', status: 'BUSY'}, (placed) => (placed <= 1 ? now + 1000 : undefined))).to.equal('applied')
      // The same summary twice: applied once.
      expect(await j.recordOutcome(1, 1, {sessionId: 'sess-1', status: 'BUSY'}, () => now + 1000)).to.equal('ignored')
      expect(await j.claimNext('r1', now + 10, {maxLive: 10})).to.deep.equal({wait: 'due', nextDueAt: now + 1000})
      const again = await claimOf(j, 'r1', now + 1000)
      expect(again.attempt).to.equal(2)
      expect(again.placed).to.equal(1)
      expect(again.clientRequestId).to.equal('c4/1/2')
      await j.recordIntent(again, {at: now + 1000, from: '+6531591234', validUntil: new Date(now + 61_000).toISOString()})
      await j.recordCreated(again, 'sess-2', now + 1005)
      await j.recordOutcome(1, 2, {sessionId: 'sess-2', status: 'COMPLETED', durationSec: 12, legs: 1}, () => undefined)
      const counts = await j.counts(now + 2000)
      expect(counts).to.include({done: 1, attempts: 2, created: 2, live: 0, pending: 0})
      expect(counts.byOutcome).to.deep.equal({COMPLETED: 1})
      expect(await j.claimNext('r1', now + 2000, {maxLive: 10})).to.deep.equal({wait: 'none-left'})
      const rows = []
      for await (const r of j.results()) rows.push(r)
      expect(rows[0].outcome).to.equal('COMPLETED')
      expect(rows[0].attempts.map((a) => [a.attempt, a.sessionId, a.status])).to.deep.equal([[1, 'sess-1', 'BUSY'], [2, 'sess-2', 'COMPLETED']])
      expect(rows[0].attempts[0].steps).to.deep.equal([{node: 'main', taken: '1'}])
      expect(rows[0].attempts[1].durationSec).to.equal(12)
    })

    it('makes an intent with no answer uncertain when the next run joins, and never hands it out again', async () => {
      await createCampaign(store, 'c5', ['+6591230001', '+6591230002'])
      let j = await openJ(store, 'c5')
      await j.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      const c = await claimOf(j)
      await j.recordIntent(c, {at: Date.now(), from: '+6531591234', validUntil: new Date().toISOString()})
      await j.close() // the runner "dies" between the intent and the answer
      const s2 = reopen ? await reopen() : store
      j = await openJ(s2, 'c5')
      await j.join({runnerId: 'r2', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      expect((await j.counts()).uncertain).to.equal(1)
      const next = await claimOf(j, 'r2')
      expect(next.contact.id).to.equal(2)
      await j.release(next, 1)
      const unsure = await j.uncertain()
      expect(unsure).to.deep.equal([{contactId: 1, attempt: 1, clientRequestId: 'c5/1/1', number: '+6591230001', outcome: 'UNCERTAIN'}])
      // A summary found later settles it.
      expect(await j.settle({contactId: 1, attempt: 1, outcome: {sessionId: 's9', status: 'COMPLETED'}})).to.equal(true)
      expect((await j.counts()).byOutcome).to.deep.equal({COMPLETED: 1})
      if (s2 !== store) await s2.close()
    })

    it('--retry-uncertain makes uncertain contacts pending with a new attempt number', async () => {
      await createCampaign(store, 'c6', ['+6591230001'])
      const j = await openJ(store, 'c6')
      await j.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      const c = await claimOf(j)
      await j.recordIntent(c, {at: Date.now(), from: '+6531591234', validUntil: new Date().toISOString()})
      await j.recordUncertain(c, 'timed out after sending')
      expect(await j.claimNext('r1', Date.now(), {maxLive: 5})).to.deep.equal({wait: 'none-left'})
      expect(await j.retryUncertain()).to.equal(1)
      const again = await claimOf(j)
      expect(again.attempt).to.equal(2)
      expect(again.clientRequestId).to.equal('c6/1/2')
    })

    it('a call with no summary by the live timeout is NO_SUMMARY; a late summary still counts', async () => {
      await createCampaign(store, 'c7', ['+6591230001'])
      const j = await openJ(store, 'c7')
      await j.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      const now = Date.now()
      const c = await claimOf(j, 'r1', now)
      await j.recordIntent(c, {at: now, from: '+6531591234', validUntil: new Date().toISOString()})
      await j.recordCreated(c, 'sess-x', now)
      expect(await j.expireLive(now + 1)).to.equal(1)
      expect((await j.counts()).byOutcome).to.deep.equal({NO_SUMMARY: 1})
      expect(await j.recordOutcome(1, 1, {sessionId: 'sess-x', status: 'NO_ANSWER'}, () => Date.now())).to.equal('applied')
      // A late summary settles; it starts no retry.
      expect((await j.counts()).byOutcome).to.deep.equal({NO_ANSWER: 1})
    })

    it('a summary that overtakes the answer to its POST is not undone by that answer', async () => {
      await createCampaign(store, 'c10', ['+6591230001'])
      const j = await openJ(store, 'c10')
      await j.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      const c = await claimOf(j)
      await j.recordIntent(c, {at: Date.now(), from: '+6531591234', validUntil: new Date().toISOString()})
      let placedSeen = -1
      await j.recordOutcome(1, 1, {sessionId: 's1', status: 'COMPLETED'}, (placed) => {
        placedSeen = placed
        return undefined
      })
      await j.recordCreated(c, 's1', Date.now())
      const counts = await j.counts()
      expect(placedSeen).to.equal(1)
      expect(counts).to.include({done: 1, live: 0, created: 1})
    })

    it('a refusal that may be sent again keeps the contact; a final one is REJECTED', async () => {
      await createCampaign(store, 'c8', ['+6591230001', '+6591230002'])
      const j = await openJ(store, 'c8')
      await j.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      const now = Date.now()
      const a = await claimOf(j, 'r1', now)
      await j.recordIntent(a, {at: now, from: '+6531591234', validUntil: new Date().toISOString()})
      await j.recordNotCreated(a, {reason: '429', retryAt: now + 500})
      const b = await claimOf(j, 'r1', now)
      await j.recordIntent(b, {at: now, from: '+6531591234', validUntil: new Date().toISOString()})
      await j.recordNotCreated(b, {reason: '-1014 source not allowed'})
      const again = await claimOf(j, 'r1', now + 500)
      expect(again.contact.id).to.equal(1)
      expect((await j.counts()).byOutcome).to.deep.equal({REJECTED: 1})
    })

    it('pause and cancel from another handle reach the runner; cancel ends what was never called', async () => {
      await createCampaign(store, 'c9', ['+6591230001', '+6591230002'])
      const runner = await openJ(store, 'c9')
      await runner.join({runnerId: 'r1', pid: process.pid, host: 'h', startedAt: new Date().toISOString()})
      await runner.setStatus('running')
      const other = await openJ(store, 'c9')
      await other.setStatus('paused')
      expect(await runner.status()).to.equal('paused')
      await other.setStatus('cancelled')
      expect(await runner.status()).to.equal('cancelled')
      const counts = await runner.counts()
      expect(counts.byOutcome).to.deep.equal({CANCELLED: 2})
      const list = await store.list()
      expect(list.map((s) => [s.name, s.status])).to.deep.include(['c9', 'cancelled'])
    })
  })
}
