import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {computeMenuStats, type MenuStats} from '../../../src/lib/analytics/menu-stats.js'
import {menuFingerprint} from '../../../src/lib/analytics/decisions.js'
import type {Menu} from '../../../src/lib/menu/model.js'
import {loadRestaurant, SEVEN, writeWalks} from './fixtures.js'

describe('menu stats: decisions joined with session summaries', () => {
  let dir: string
  let menu: Menu
  let decisions: string
  let store: string
  const stats = (filter = {}) => computeMenuStats({menu, label: 'Restaurant reservations', decisionsFile: decisions, storeFile: store, filter})
  const node = (s: MenuStats, id: string) => s.nodes.find((n) => n.id === id)!

  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-menu-stats-'))
    menu = await loadRestaurant()
    decisions = path.join(dir, 'decisions.ndjson')
    store = path.join(dir, 'sessions.ndjson')
    await writeWalks(menu, SEVEN, decisions, store)
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  it('counts calls, choice shares, invalid and no-input rates per node', async () => {
    const s = await stats()
    expect([s.sessions, s.withSummary, s.noSummary, s.decisions]).to.deep.equal([7, 6, 1, 7 + 12])
    const main = node(s, 'main')
    expect([main.calls, main.visits, main.answers]).to.deep.equal([7, 8, 8])
    expect(main.choices).to.deep.equal([
      {key: '2', target: 'staff', count: 3, share: 0.375},
      {key: '1', target: 'reservations', count: 2, share: 0.25},
      {key: '3', target: 'hours', count: 1, share: 0.125},
    ])
    expect([main.invalid, main.invalidRate, main.noInput, main.noInputRate]).to.deep.equal([1, 0.125, 1, 0.125])
    expect(node(s, 'hours').calls).to.equal(1)
    expect(node(s, 'change')).to.include({calls: 0, answers: 0})
    expect(node(s, 'change').choices.map((c) => [c.key, c.count])).to.deep.equal([['1', 0], ['2', 0]])
  })

  it('finds where callers hung up, and keeps sessions without a summary apart', async () => {
    const s = await stats()
    expect(node(s, 'reservations')).to.include({calls: 2, abandoned: 1, abandonRate: 0.5})
    // sess-f waits in staff with no summary: not an abandon, not yet anything.
    expect(node(s, 'staff')).to.include({calls: 3, abandoned: 0})
    expect(s.ends).to.deep.equal({hangup: 3, transfer: 2, apology: 0, abandon: 1})
    expect(s.statuses).to.deep.equal({COMPLETED: 6})
  })

  it('tells transfers the far end answered from those it did not', async () => {
    expect(node(await stats(), 'staff')).to.include({transfers: 2, transfersAnswered: 1, transfersUnknown: 0})
  })

  it('gives the median time in a node, up to the answer or the hang-up', async () => {
    const s = await stats()
    // main: 5, 7, 3, 11, then 9 (d, second visit), 4, 6, 5 → sorted 3 4 5 5 6 7 9 11 → (5 + 6) / 2
    expect(node(s, 'main').medianSec).to.equal(5.5)
    // reservations: sess-a 4 s to answer; sess-e entered at 4 s, hung up at 12 s: 8 s
    expect(node(s, 'reservations').medianSec).to.equal(6)
  })

  it('ranks the paths through the menu with how they ended', async () => {
    const s = await stats()
    expect(s.paths[0]).to.deep.equal({steps: ['main 2', 'staff 1'], end: 'transfer', endNode: 'staff', count: 2, share: 0.286})
    const ends = s.paths.map((p) => `${p.steps.join(' › ')} → ${p.end}${p.endNode ? ` (${p.endNode})` : ''}`)
    expect(ends).to.include.members([
      'main 1 › reservations 1 › book 2 → hangup (book)',
      'main invalid → hangup (main)',
      'main no input › main 3 → hangup (hours)',
      'main 1 → abandon (reservations)',
      'main 2 → no summary yet (staff)',
    ])
  })

  it('filters by when the session started and by menu version', async () => {
    const day1 = await stats({since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-21T00:00:00Z')})
    expect(day1.sessions).to.equal(3)
    expect(node(day1, 'main').calls).to.equal(3)
    const current = menuFingerprint(menu)
    expect((await stats({version: current.slice(0, 6)})).sessions).to.equal(7)
    expect((await stats({version: 'ffffffffffff'})).sessions).to.equal(0)
    const all = await stats()
    expect(all.versions).to.have.length(1)
    expect(all.versions[0]).to.include({version: current, decisions: 19, sessions: 7, current: true})
  })

  it('starts an outbound call in the node its first call action comes from', async () => {
    const d2 = path.join(dir, 'out.ndjson')
    const s2 = path.join(dir, 'out-store.ndjson')
    await writeWalks(menu, [{session: 'out-1', start: '2026-11-23T10:00:00Z', outbound: true, steps: [[8, 'main', '3']], summary: {endAfter: 12}}], d2, s2)
    const s = await computeMenuStats({menu, label: 'Restaurant reservations', decisionsFile: d2, storeFile: s2})
    expect(node(s, 'main')).to.include({calls: 1, answers: 1})
    expect(node(s, 'hours').calls).to.equal(1)
    expect(s.ends.hangup).to.equal(1)
  })

  it('names each damaged line of the decision log, once, and counts the whole ones as before', async () => {
    const whole = (await fs.readFile(decisions, 'utf8')).trimEnd().split('\n')
    const other = JSON.stringify({...JSON.parse(whole[0]), menu: 'Another menu', session: 'other-1'})
    // Line 3: one of ours cut short; line 5: another menu's cut short; line 7: not JSON at all.
    const lines = [...whole.slice(0, 2), whole[2].slice(0, -9), whole[3], other.slice(0, 60), whole[4], 'garbage', ...whole.slice(5)]
    const damaged = path.join(dir, 'damaged.ndjson')
    await fs.writeFile(damaged, `${lines.join('\n')}\n`)
    const warnings: string[] = []
    const s = await computeMenuStats({menu, label: 'Restaurant reservations', decisionsFile: damaged, storeFile: store, warn: (m) => warnings.push(m)})
    expect(warnings).to.deep.equal([`3 lines of ${damaged} could not be read (lines 3, 5, 7); skipped.`])
    expect(s.decisions).to.equal(7 + 12 - 1)
  })

  it('reads nothing from files that do not exist yet', async () => {
    const s = await computeMenuStats({menu, label: 'Restaurant reservations', decisionsFile: path.join(dir, 'none.ndjson'), storeFile: path.join(dir, 'none2.ndjson')})
    expect([s.sessions, s.decisions]).to.deep.equal([0, 0])
    expect(node(s, 'main').calls).to.equal(0)
  })
})
