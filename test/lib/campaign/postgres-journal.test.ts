import {expect} from 'chai'
import pg from 'pg'

import {loadContent} from '../../../src/lib/campaign/content.js'
import type {CampaignJournal, Claim} from '../../../src/lib/campaign/journal.js'
import type {CampaignDefinition} from '../../../src/lib/campaign/model.js'
import {PostgresCampaignStore} from '../../../src/lib/campaign/postgres/journal.js'
import {CampaignRunner, type RunEvent} from '../../../src/lib/campaign/runner.js'
import {IvrError} from '../../../src/lib/errors.js'
import {freshDatabase} from '../../helpers/postgres.js'
import {createCampaign, journalContract} from './journal-contract.js'

/** Ends every runner's lease now: what the passing of the lease time does to a runner that died. */
async function expireLeases(url: string): Promise<void> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  try {
    await client.query("UPDATE ivr_runners SET lease_until = now() - interval '1 second' WHERE ended IS NULL")
  } finally {
    await client.end()
  }
}

journalContract('PostgreSQL', async () => {
  const url = await freshDatabase()
  return {
    store: await PostgresCampaignStore.open(url),
    // The next run, after the previous runner's lease has run out.
    reopen: async () => {
      await expireLeases(url)
      return PostgresCampaignStore.open(url)
    },
    cleanup: async () => {},
  }
})

const runner = (runnerId: string) => ({runnerId, pid: process.pid, host: 'test', startedAt: new Date().toISOString()})
const intent = (now = Date.now()) => ({at: now, from: '+6531591234', validUntil: new Date(now + 60_000).toISOString()})
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function claimOf(j: CampaignJournal, runnerId: string, maxLive = 1000): Promise<Claim> {
  const r = await j.claimNext(runnerId, Date.now(), {maxLive})
  if (!('claim' in r)) throw new Error(`expected a claim, got ${JSON.stringify(r)}`)
  return r.claim
}

describe('campaign/postgres: several runners on one campaign', function () {
  this.timeout(60_000)
  let url: string
  const stores: PostgresCampaignStore[] = []
  const openStore = async (leaseMs?: number) => {
    const s = await PostgresCampaignStore.open(url, {leaseMs})
    stores.push(s)
    return s
  }
  beforeEach(async () => {
    url = await freshDatabase()
  })
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
  })

  it('runners claiming at once each get different contacts, every contact exactly once', async () => {
    const numbers = Array.from({length: 60}, (_, i) => `+659123${String(i).padStart(4, '0')}`)
    await createCampaign(await openStore(), 'many', numbers, {rate: 1000})
    // Three runners, each on its own connection pool, as on three machines.
    const journals = await Promise.all([1, 2, 3].map(async (i) => {
      const j = await (await openStore()).open('many')
      await j.join(runner(`r${i}`))
      return {j, id: `r${i}`}
    }))
    const claimed: number[] = []
    await Promise.all(journals.map(async ({j, id}) => {
      for (;;) {
        const r = await j.claimNext(id, Date.now(), {maxLive: 1000})
        if ('claim' in r) {
          claimed.push(r.claim.contact.id)
          await j.recordIntent(r.claim, intent())
          await j.recordCreated(r.claim, `s-${r.claim.contact.id}`, Date.now())
          continue
        }
        if (r.wait === 'none-left') return
        await sleep(r.nextDueAt ? Math.max(1, r.nextDueAt - Date.now()) : 5)
      }
    }))
    expect(claimed).to.have.length(60)
    expect(new Set(claimed).size).to.equal(60)
  })

  it('holds the live-call limit across runners, not per runner', async () => {
    await createCampaign(await openStore(), 'live', ['+6591230001', '+6591230002', '+6591230003', '+6591230004'], {rate: 1000})
    const a = await (await openStore()).open('live')
    const b = await (await openStore()).open('live')
    await a.join(runner('a'))
    await b.join(runner('b'))
    const first = await claimOf(a, 'a', 2)
    await a.recordIntent(first, intent())
    await claimOf(b, 'b', 2)
    // Two under way (one dialing, one held): neither runner may start a third.
    expect(await a.claimNext('a', Date.now(), {maxLive: 2})).to.deep.equal({wait: 'live-limit'})
    expect(await b.claimNext('b', Date.now(), {maxLive: 2})).to.deep.equal({wait: 'live-limit'})
    await a.recordCreated(first, 's1', Date.now())
    await a.recordOutcome(first.contact.id, first.attempt, {sessionId: 's1', status: 'COMPLETED'}, () => undefined)
    expect(await b.claimNext('b', Date.now(), {maxLive: 2})).to.have.property('claim')
  })

  it('keeps the rate global: a second runner waits for the next slot the first one left', async () => {
    await createCampaign(await openStore(), 'pace', ['+6591230001', '+6591230002', '+6591230003', '+6591230004', '+6591230005'], {rate: 1})
    const a = await (await openStore()).open('pace')
    const b = await (await openStore()).open('pace')
    await a.join(runner('a'))
    await b.join(runner('b'))
    // At one call a second, the shared pace lets the first call through and holds back the next ones,
    // whichever runner asks.
    await claimOf(a, 'a')
    const next = await b.claimNext('b', Date.now(), {maxLive: 10})
    expect(next).to.have.property('wait', 'due')
    expect((next as {nextDueAt: number}).nextDueAt).to.be.greaterThan(Date.now())
    expect(await a.claimNext('a', Date.now(), {maxLive: 10})).to.have.property('wait', 'due')
  })

  it('claims in batches: each runner gets consecutive slots of the one shared pace, 1/rate apart, never more than the live limit', async () => {
    const numbers = Array.from({length: 10}, (_, i) => `+659125${String(i).padStart(4, '0')}`)
    await createCampaign(await openStore(), 'slots', numbers, {rate: 4})
    const a = await (await openStore()).open('slots')
    const b = await (await openStore()).open('slots')
    await a.join(runner('a'))
    await b.join(runner('b'))
    // 4 calls a second: slots 250 ms apart, handed out up to a second ahead, two at a time.
    const opts = {maxLive: 1000, rate: 4, min: 2, max: 2, horizonMs: 1000}
    const claimed = async (j: CampaignJournal, id: string, o = opts) => {
      const r = await j.claimBatch!(id, Date.now(), o)
      if (!('claims' in r)) throw new Error(`expected claims, got ${JSON.stringify(r)}`)
      return r.claims
    }
    const first = await claimed(a, 'a')
    const second = await claimed(b, 'b')
    expect(first.map((c) => c.contact.id)).to.deep.equal([1, 2])
    expect(second.map((c) => c.contact.id)).to.deep.equal([3, 4])
    // One grid across both runners: the second batch goes on where the first one ends (each said in
    // its runner's clock, give or take the database's answer time), it does not start again from now.
    expect(Math.round(first[1].startAt - first[0].startAt)).to.equal(250)
    expect(Math.round(second[1].startAt - second[0].startAt)).to.equal(250)
    expect(second[0].startAt - first[1].startAt).to.be.within(200, 300)
    // One slot left within the horizon, fewer than a batch: wait until there are two.
    const third = await a.claimBatch!('a', Date.now(), opts)
    expect(third).to.have.property('wait', 'pace')
    const wakeAt = (third as {nextDueAt: number}).nextDueAt
    expect(wakeAt).to.be.greaterThan(Date.now())
    // The live limit counts what is claimed, every runner's: 4 held, a limit of 5 leaves 1.
    await sleep(Math.max(0, wakeAt - Date.now()) + 50)
    expect((await claimed(b, 'b', {...opts, maxLive: 5})).map((c) => c.contact.id)).to.deep.equal([5])
    expect(await a.claimBatch!('a', Date.now(), {...opts, maxLive: 5})).to.deep.equal({wait: 'live-limit'})
  })

  it('a claim given back with a fractional due time is pending again (it stayed held, and the run never ended)', async () => {
    await createCampaign(await openStore(), 'frac', ['+6591230001'], {rate: 1000})
    const j = await (await openStore()).open('frac')
    await j.join(runner('r'))
    const c = await claimOf(j, 'r')
    await j.release(c, Date.now() + 0.5)
    await sleep(5)
    expect((await claimOf(j, 'r')).contact.id).to.equal(c.contact.id)
  })

  it('a runner that dies with a batch claimed and not sent: after its lease the others get all of it, none uncertain', async () => {
    const leaseMs = 1500
    await createCampaign(await openStore(leaseMs), 'batchdeath', ['+6591230001', '+6591230002', '+6591230003', '+6591230004'], {rate: 1000})
    const dying = await (await openStore(leaseMs)).open('batchdeath')
    const alive = await (await openStore(leaseMs)).open('batchdeath')
    await dying.join(runner('dying'))
    await alive.join(runner('alive'))
    const held = await dying.claimBatch!('dying', Date.now(), {maxLive: 100, rate: 1000, min: 1, max: 4, horizonMs: 250})
    expect(held).to.have.property('claims').with.length(4)
    expect(await alive.claimBatch!('alive', Date.now(), {maxLive: 100, rate: 1000, min: 1, max: 4, horizonMs: 250})).to.deep.equal({wait: 'due'})
    const until = Date.now() + leaseMs + 300
    while (Date.now() < until) {
      await alive.heartbeat('alive')
      await sleep(100)
    }
    const taken = await alive.claimBatch!('alive', Date.now(), {maxLive: 100, rate: 1000, min: 1, max: 4, horizonMs: 250})
    if (!('claims' in taken)) throw new Error(`expected claims, got ${JSON.stringify(taken)}`)
    expect(taken.claims.map((c) => [c.contact.id, c.attempt])).to.deep.equal([[1, 1], [2, 1], [3, 1], [4, 1]])
    expect((await alive.counts()).uncertain).to.equal(0)
  })

  it('a runner that stops renewing its lease: its dialing contact becomes uncertain, its held one goes to the others', async () => {
    const leaseMs = 1500
    await createCampaign(await openStore(leaseMs), 'lease', ['+6591230001', '+6591230002', '+6591230003'], {rate: 1000})
    const dying = await (await openStore(leaseMs)).open('lease')
    const alive = await (await openStore(leaseMs)).open('lease')
    await dying.join(runner('dying'))
    await alive.join(runner('alive'))
    const sent = await claimOf(dying, 'dying')
    await dying.recordIntent(sent, intent())
    const held = await claimOf(dying, 'dying')
    // While its lease holds, the other runner cannot touch what it has.
    const mine = await claimOf(alive, 'alive')
    expect(mine.contact.id).to.equal(3)
    await alive.release(mine, 1)
    // The dying runner goes silent; the live one keeps renewing until the lease has run out.
    const until = Date.now() + leaseMs + 300
    while (Date.now() < until) {
      await alive.heartbeat('alive')
      await sleep(100)
    }
    expect(await alive.heartbeat('alive')).to.deep.equal({runners: 1})
    const counts = await alive.counts()
    expect(counts.uncertain).to.equal(1)
    expect(await alive.uncertain()).to.deep.equal([{contactId: sent.contact.id, attempt: 1, clientRequestId: 'lease/1/1', number: '+6591230001', outcome: 'UNCERTAIN'}])
    // Its held contact (never sent) is the others' now; the uncertain one is never handed out again.
    const taken = [await claimOf(alive, 'alive'), await claimOf(alive, 'alive')].map((c) => c.contact.id).sort()
    expect(taken).to.deep.equal([held.contact.id, 3].sort())
    expect(await alive.claimNext('alive', Date.now(), {maxLive: 10})).to.have.property('wait')
    // The runner that was given up for dead must not send what it held, nor carry on.
    try {
      await dying.recordIntent(held, intent())
      expect.fail('a runner whose lease expired wrote an intent')
    } catch (error) {
      expect(error).to.be.instanceOf(IvrError)
      expect((error as IvrError).code).to.equal('LEASE_LOST')
      expect((error as IvrError).message).to.include(`contact ${held.contact.id} was not dialed`)
    }
    try {
      await dying.heartbeat('dying')
      expect.fail('an expired runner renewed its lease')
    } catch (error) {
      expect((error as IvrError).code).to.equal('LEASE_LOST')
    }
    // Its answer, if it still comes, is not lost: the call exists, so the contact is live again, not uncertain.
    await dying.recordCreated(sent, 'late-session', Date.now())
    expect((await alive.counts()).uncertain).to.equal(0)
  })

  it('a status command alone settles a dead runner after its lease (no runner left to do it)', async () => {
    const leaseMs = 1500
    await createCampaign(await openStore(leaseMs), 'alone', ['+6591230001'], {rate: 1000})
    const dying = await (await openStore(leaseMs)).open('alone')
    await dying.join(runner('dying'))
    const c = await claimOf(dying, 'dying')
    await dying.recordIntent(c, intent())
    expect((await (await (await openStore(leaseMs)).open('alone')).counts()).dialing).to.equal(1)
    await sleep(leaseMs + 200)
    const counts = await (await (await openStore(leaseMs)).open('alone')).counts()
    expect(counts).to.include({dialing: 0, uncertain: 1})
  })

  it('summaries racing the answers to their POSTs: every write succeeds and every contact ends done', async () => {
    const numbers = Array.from({length: 40}, (_, i) => `+659124${String(i).padStart(4, '0')}`)
    await createCampaign(await openStore(), 'race', numbers, {rate: 1000})
    // The runner that sends and the runner that receives summaries, on separate connections.
    const sender = await (await openStore()).open('race')
    const receiver = await (await openStore()).open('race')
    await sender.join(runner('s'))
    const claims: Claim[] = []
    for (let i = 0; i < numbers.length; i++) {
      const c = await claimOf(sender, 's')
      await sender.recordIntent(c, intent())
      claims.push(c)
    }
    await Promise.all(claims.map((c) => Promise.all([
      sender.recordCreated(c, `s-${c.contact.id}`, Date.now()),
      receiver.recordOutcome(c.contact.id, c.attempt, {sessionId: `s-${c.contact.id}`, status: 'COMPLETED'}, () => undefined),
    ])))
    const counts = await receiver.counts()
    expect(counts).to.include({done: numbers.length, live: 0, dialing: 0, created: numbers.length})
  })

  it('a creation that never committed is invisible to every other connection and leaves nothing behind', async () => {
    const a = await openStore()
    const b = await openStore()
    const {definitionFor} = await import('./journal-contract.js')
    const w = await a.create(definitionFor('half'), {})
    await w.addContact({row: 2, number: '+6591230001', vars: {}})
    expect(await b.exists('half')).to.equal(false)
    await w.abort()
    expect(await a.exists('half')).to.equal(false)
    expect(await b.list()).to.deep.equal([])
  })
})

describe('campaign run on a shared pace (PostgreSQL): the runner starts each claimed call at its slot', function () {
  this.timeout(60_000)
  const stores: PostgresCampaignStore[] = []
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
  })

  it('gives back what it claimed but had not started when it stops: never sent, dialed once by the next run', async () => {
    const url = await freshDatabase()
    const open = async () => {
      const s = await PostgresCampaignStore.open(url)
      stores.push(s)
      return s
    }
    const numbers = Array.from({length: 8}, (_, i) => `+659126${String(i).padStart(4, '0')}`)
    // 20 calls a second: a claim takes up to 5 slots, 50 ms apart.
    const template = {callflow: [{action: 'makeCall', params: {source: '{{from}}', destination: '{{to}}'}}, {action: 'hangup'}]}
    await createCampaign(await open(), 'stop', numbers, {rate: 20, maxLive: 100, content: {kind: 'callflow', file: 'flow.json', template} as CampaignDefinition['content']})
    const sent: Array<{to: string; at: number}> = []
    const run = async (stopAfter: number) => {
      const journal = await (await open()).open('stop')
      const abort = new AbortController()
      const events: RunEvent[] = []
      const runner: CampaignRunner = new CampaignRunner({
        journal, content: loadContent(journal.definition.content), signal: abort.signal, drainMs: 0, waitWhilePaused: false,
        onEvent: (e) => events.push(e),
        send: async (request) => {
          const make = request.callflow[0] as {params: {destination: string}}
          sent.push({to: make.params.destination, at: Date.now()})
          if (sent.length === stopAfter) abort.abort()
          return {sessionId: `s-${sent.length}`, sessionStatus: 'CREATED'} as never
        },
      })
      await runner.run()
      return events
    }
    const first = await run(2)
    // Stopped at the second call (one whose intent was already written may still go): the rest of what
    // it had claimed (a batch of up to 5) was never sent, and is pending again; nothing is uncertain.
    const n = sent.length
    expect(n).to.be.within(2, 4)
    const after = await (await open()).open('stop')
    expect(await after.counts()).to.include({pending: numbers.length - n, uncertain: 0, attempts: n})
    // Each call it started says how late it was against its slot.
    expect(first.filter((e) => e.type === 'call' && typeof e.lateMs === 'number')).to.have.length(n)
    // The next run (its calls never end: it is stopped once the last one is sent).
    await run(numbers.length)
    expect(sent.map((x) => x.to).sort()).to.deep.equal([...numbers].sort())
  })
})
