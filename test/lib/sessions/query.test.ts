import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {computeStats, findSession, listSessions, parseSince, parseStatuses} from '../../../src/lib/sessions/query.js'
import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {EventStore} from '../../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {vss} from '../webhooks/fixtures.js'

const at = (iso: string) => ({startTime: iso, endTime: iso})

describe('sessions/query: list, find, stats', () => {
  let dir: string
  let file: string
  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-query-'))
    file = path.join(dir, 'q.ndjson')
    const store = await EventStore.open(file)
    const leg = (d: number, mos?: number, cc = 'SG') => ({callA: {callDirection: 'OUTBOUND', source: '+6531591234', destination: '+6591238965', destinationCountryCode: cc, callDuration: d, connectedTimestamp: d > 0 ? '2026-11-20T10:00:00Z' : null, callQuality: mos === undefined ? null : {mos, packetLossRate: 0, jitter: 1}}})
    const bodies = [
      vss('aaaa-1', {...at('2026-11-20T10:00:00Z'), details: leg(30, 4.5)}),
      vss('aaaa-2', {...at('2026-11-20T11:00:00Z'), details: leg(90, 4.1)}),
      vss('bbbb-3', {...at('2026-11-21T10:00:00Z'), sessionStatus: 'BUSY', details: leg(0)}),
      vss('bbbb-4', {...at('2026-11-21T12:00:00Z'), sessionStatus: 'ERROR', errorDetails: {errorCode: -2005, errorMsg: 'x'}, details: leg(10, 3.0, 'US')}),
      vss('cccc-5', {...at('2026-11-22T10:00:00Z'), sessionStatus: 'ERROR', errorDetails: {errorCode: -2005, errorMsg: 'x'}, details: leg(150, 3.7, 'US')}),
    ]
    for (const b of bodies) await store.append(makeStoredEvent(parseWebhook(b), {bodyText: JSON.stringify(b), receivedAt: new Date(b.payload.endTime)}))
    const vcs = {eventType: 'CALL_STATUS', payload: {sessionId: 'aaaa-1', eventId: 'e1', callStatus: 'answered'}}
    await store.append(makeStoredEvent(parseWebhook(vcs), {bodyText: JSON.stringify(vcs)}))
    await store.close()
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  it('lists the newest first, filtered by time and status, limited', async () => {
    expect((await listSessions(file, {limit: 0})).map((r) => r.sessionId)).to.deep.equal(['cccc-5', 'bbbb-4', 'bbbb-3', 'aaaa-2', 'aaaa-1'])
    expect((await listSessions(file, {limit: 2})).map((r) => r.sessionId)).to.deep.equal(['cccc-5', 'bbbb-4'])
    expect((await listSessions(file, {limit: 0, statuses: new Set(['ERROR', 'BUSY'])})).map((r) => r.sessionId)).to.deep.equal(['cccc-5', 'bbbb-4', 'bbbb-3'])
    expect((await listSessions(file, {limit: 0, since: new Date('2026-11-21T11:00:00Z')})).map((r) => r.sessionId)).to.deep.equal(['cccc-5', 'bbbb-4'])
  })

  it('orders by the session\'s own time, not by arrival: a summary that arrived late is placed where it ended', async () => {
    const late = path.join(dir, 'late.ndjson')
    const store = await EventStore.open(late)
    // Stored in this order; they ended 10:00, 12:00, 11:00 (the last one's summary came late), 09:00.
    for (const [id, end] of [['first', '2026-11-20T10:00:00Z'], ['newest', '2026-11-20T12:00:00Z'], ['late', '2026-11-20T11:00:00Z'], ['oldest', '2026-11-20T09:00:00Z']]) {
      const b = vss(id, at(end))
      await store.append(makeStoredEvent(parseWebhook(b), {bodyText: JSON.stringify(b), receivedAt: new Date('2026-11-20T12:30:00Z')}))
    }
    await store.close()
    expect((await listSessions(late, {limit: 0})).map((r) => r.sessionId)).to.deep.equal(['newest', 'late', 'first', 'oldest'])
    expect((await listSessions(late, {limit: 2})).map((r) => r.sessionId)).to.deep.equal(['newest', 'late'])
  })

  it('finds a session by id or unique prefix, refuses an ambiguous one, and says when it is unknown', async () => {
    const found = await findSession(file, 'aaaa-1')
    expect(found.events.map((e) => e.type)).to.deep.equal(['SESSION_SUMMARY', 'CALL_STATUS'])
    expect((await findSession(file, 'cccc')).sessionId).to.equal('cccc-5')
    expect(await findSession(file, 'aaaa').catch((e) => e.exitCode)).to.equal(2)
    expect(await findSession(file, 'zzzz').catch((e) => e.exitCode)).to.equal(5)
  })

  it('computes answer rate, minutes, duration quantiles, MOS bands, top errors and groups', async () => {
    const s = await computeStats(file, {by: 'status'})
    expect(s.sessions).to.equal(5)
    expect(s.answered).to.equal(4)
    expect(s.answerRate).to.equal(0.8)
    // 30 + 90 + 10 + 150 = 280 s; whole minutes started: 1 + 2 + 1 + 3.
    expect(s.totalMinutes).to.equal(4.7)
    expect(s.billableMinutes).to.equal(7)
    // Answered durations sorted: 10 30 90 150: nearest-rank median is the 2nd, p95 the 4th.
    expect(s.medianDurationSec).to.equal(30)
    expect(s.p95DurationSec).to.equal(150)
    expect(s.mosBands).to.deep.equal({excellent: 1, good: 1, fair: 1, poor: 0, bad: 1, unknown: 1})
    expect(s.topErrors).to.deep.equal([{code: -2005, meaning: 'TTS failed', count: 2}])
    expect(s.groups.map((g) => [g.key, g.sessions])).to.deep.equal([['COMPLETED', 2], ['ERROR', 2], ['BUSY', 1]])
    const byCountry = await computeStats(file, {by: 'country'})
    expect(byCountry.groups.map((g) => [g.key, g.sessions])).to.deep.equal([['SG', 3], ['US', 2]])
    const byAction = await computeStats(file, {by: 'last-action', statuses: new Set(['ERROR'])})
    expect(byAction.sessions).to.equal(2)
    const byDay = await computeStats(file, {by: 'day'})
    expect(byDay.groups.map((g) => g.sessions)).to.deep.equal([2, 2, 1])
  })

  it('reads --since and --status the way a person writes them', () => {
    const now = new Date('2026-11-23T12:00:00Z')
    expect(parseSince('1h', now).toISOString()).to.equal('2026-11-23T11:00:00.000Z')
    expect(parseSince('2d', now).toISOString()).to.equal('2026-11-21T12:00:00.000Z')
    expect(parseSince('2026-11-01T09:00:00Z').toISOString()).to.equal('2026-11-01T09:00:00.000Z')
    expect(parseSince('2026-11-01').getDate()).to.equal(1)
    expect(() => parseSince('yesterday')).to.throw(/not a time span/)
    expect([...parseStatuses('completed, no-answer')!]).to.deep.equal(['COMPLETED', 'NO_ANSWER'])
    expect(() => parseStatuses('DONE')).to.throw(/not a session status/)
  })

  it('answers the same from lines without a stat row (older or hand-made files) as from the rows', async () => {
    const plain = path.join(dir, 'plain.ndjson')
    const text = await fs.readFile(file, 'utf8')
    let rows = 0
    const lines = text.trim().split('\n').map((l) => {
      const {row, ...rest} = JSON.parse(l)
      if (Array.isArray(row)) rows++
      return JSON.stringify(rest)
    })
    expect(rows).to.equal(5)
    await fs.writeFile(plain, lines.join('\n') + '\n')
    for (const by of ['status', 'day', 'country', 'last-action'] as const) {
      expect(await computeStats(plain, {by}), by).to.deep.equal(await computeStats(file, {by}))
    }
    expect(await listSessions(plain, {limit: 3, statuses: new Set(['ERROR', 'COMPLETED'])})).to.deep.equal(await listSessions(file, {limit: 3, statuses: new Set(['ERROR', 'COMPLETED'])}))
  })
})
