import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'

import YAML from 'yaml'

import {projectRoot} from '../../helpers/run.js'
import type {VcaResponse} from '../../../src/lib/callflow/types.js'
import {decisionOf, decisionRecorder, decisionsFileFor, DecisionLog, menuFingerprint, type Decision} from '../../../src/lib/analytics/decisions.js'
import {answerCall} from '../../../src/lib/menu/answer.js'
import {parseMenuText, type Menu} from '../../../src/lib/menu/model.js'
import {startMenuServer} from '../../../src/lib/menu/server.js'
import {readCallEvent} from '../../../src/lib/webhooks/parse.js'
import {IvrError} from '../../../src/lib/errors.js'

const RESTAURANT = path.join(projectRoot, 'examples', 'menus', 'restaurant.yaml')
const loadMenu = async (text?: string): Promise<Menu> => parseMenuText(text ?? (await fs.readFile(RESTAURANT, 'utf8')), 'restaurant.yaml').menu!
const vca = (p: Record<string, unknown>) => ({namespace: 'VOICE', eventType: 'CALL_ACTION', payload: {sessionId: 'sess-1', callStatus: 'ACTION_COMPLETED', callDirection: 'INBOUND', source: '+6591234567', destination: '+6531591234', ...p}})

function post(url: string, body: string): Promise<{status: number; body: VcaResponse}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method: 'POST', headers: {'content-type': 'application/json'}}, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: JSON.parse(text)}))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const readDecisions = async (file: string): Promise<Decision[]> => (await fs.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))

describe('decision log', () => {
  let dir: string
  let menu: Menu
  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-decisions-'))
    menu = await loadMenu()
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  it('names what the caller did and what the answer did, for every kind of call action', () => {
    const decide = (p: Record<string, unknown>) => {
      const event = readCallEvent(vca(p))
      return decisionOf(answerCall(menu, event), {at: new Date('2026-12-01T08:00:00Z'), sessionId: event.sessionId, digits: event.digits, menu: 'Restaurant reservations', version: 'v1'})
    }
    const pick = (d: Decision) => [d.node, d.digits, d.input, d.outcome, d.entered]
    expect(decide({callStatus: 'CALL_RECEIVED'})).to.deep.equal({
      time: '2026-12-01T08:00:00.000Z', session: 'sess-1', menu: 'Restaurant reservations', version: 'v1',
      node: null, digits: null, input: 'call', outcome: 'menu', entered: ['main'],
    })
    expect(pick(decide({clientActionId: 'main', eventData: {dtmf: '3'}}))).to.deep.equal(['main', '3', 'choice', 'hangup', ['hours']])
    expect(pick(decide({clientActionId: 'main', eventData: {dtmf: '7'}}))).to.deep.equal(['main', '7', 'invalid', 'hangup', []])
    expect(pick(decide({clientActionId: 'reservations', eventData: {dtmf: ''}}))).to.deep.equal(['reservations', null, 'no-input', 'menu', ['reservations']])
    expect(pick(decide({clientActionId: 'staff', eventData: {dtmf: '1'}}))).to.deep.equal(['staff', '1', 'choice', 'transfer', []])
    expect(pick(decide({clientActionId: 'book', eventData: {dtmf: '2'}}))).to.deep.equal(['book', '2', 'choice', 'hangup', []])
    expect(pick(decide({clientActionId: 'no-such-node', eventData: {dtmf: '1'}}))).to.deep.equal(['no-such-node', '1', 'unknown', 'apology', []])
  })

  it("fingerprints the menu's meaning: the same menu as JSON or re-laid-out YAML matches, a changed target or prompt does not", async () => {
    const yaml = await fs.readFile(RESTAURANT, 'utf8')
    const same = await loadMenu(`# a comment\n${yaml.replace(/\n\n/g, '\n')}`)
    // The same menu as JSON, its keys in another order.
    const reorder = (v: unknown): unknown => Array.isArray(v) ? v.map(reorder) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)])) : v
    const asJson = parseMenuText(JSON.stringify(reorder(YAML.parse(yaml))), 'restaurant.json').menu!
    expect(menuFingerprint(menu)).to.match(/^[0-9a-f]{12}$/)
    expect(menuFingerprint(same)).to.equal(menuFingerprint(menu))
    expect(menuFingerprint(asJson)).to.equal(menuFingerprint(menu))
    const retargeted = await loadMenu(yaml.replace('"3": hours', '"3": staff'))
    const reworded = await loadMenu(yaml.replace('For our opening hours, press 3.', 'For opening hours, press 3.'))
    expect(menuFingerprint(retargeted)).not.to.equal(menuFingerprint(menu))
    expect(menuFingerprint(reworded)).not.to.equal(menuFingerprint(menu))
  })

  it('keeps every call action the menu server answers, in the order answered, without the answer waiting on the disk', async () => {
    const file = path.join(dir, 'server', 'decisions.ndjson')
    const log = await DecisionLog.open(file)
    const server = await startMenuServer({menu, port: 0, record: decisionRecorder(log, RESTAURANT)})
    try {
      const first = await post(server.url, JSON.stringify(vca({callStatus: 'CALL_RECEIVED'})))
      expect(first.body.clientActionId).to.equal('main')
      await log.flush()
      expect((await readDecisions(file)).map((d) => d.input)).to.deep.equal(['call'])
      const second = await post(server.url, JSON.stringify(vca({clientActionId: 'main', eventData: {dtmf: '2'}})))
      expect(second.body.clientActionId).to.equal('staff')
      await log.flush()
      const kept = await readDecisions(file)
      expect(kept[1]).to.include({session: 'sess-1', menu: 'Restaurant reservations', version: menuFingerprint(menu), node: 'main', digits: '2', input: 'choice', outcome: 'menu'})
      expect(kept[1].entered).to.deep.equal(['staff'])
      expect((await fs.stat(file)).mode & 0o777).to.equal(0o600)
      expect((await fs.stat(path.dirname(file))).mode & 0o777).to.equal(0o700)
    } finally {
      await server.close()
      await log.close()
    }
  })

  it('groups a burst of decisions into few writes, every one kept, one per line', async () => {
    const file = path.join(dir, 'burst.ndjson')
    const log = await DecisionLog.open(file)
    const d = (i: number): Decision => ({time: new Date(i).toISOString(), session: `s${i}`, menu: 'm', version: 'v', node: 'main', digits: '1', input: 'choice', outcome: 'menu', entered: ['x']})
    await Promise.all(Array.from({length: 500}, (_, i) => log.record(d(i))))
    expect(log.batches).to.be.below(20)
    await log.close()
    const kept = await readDecisions(file)
    expect(kept.map((k) => k.session)).to.deep.equal(Array.from({length: 500}, (_, i) => `s${i}`))
  })

  it('keeps decisions recorded one after another, each waited for', async () => {
    const file = path.join(dir, 'one-by-one.ndjson')
    const log = await DecisionLog.open(file)
    for (let i = 0; i < 3; i++) await log.record({time: new Date(i).toISOString(), session: `s${i}`, menu: 'm', version: 'v', node: null, digits: null, input: 'call', outcome: 'menu', entered: ['main']})
    await log.close()
    expect((await readDecisions(file)).map((k) => k.session)).to.deep.equal(['s0', 's1', 's2'])
    // After close nothing is written, and nothing waits forever.
    await log.record({time: new Date(9).toISOString(), session: 'late', menu: 'm', version: 'v', node: null, digits: null, input: 'call', outcome: 'menu', entered: []})
    await log.flush()
    expect(await readDecisions(file)).to.have.length(3)
  })

  it('starts a fresh line after a line cut short, so the cut line does not swallow the next decision', async () => {
    const file = path.join(dir, 'torn.ndjson')
    await fs.writeFile(file, '{"time":"2026-12-01T08:00:00.000Z","session":"a"}\n{"time":"2026-12-01T08:0')
    const log = await DecisionLog.open(file)
    await log.record({time: '2026-12-01T09:00:00.000Z', session: 'b', menu: 'm', version: 'v', node: null, digits: null, input: 'call', outcome: 'menu', entered: ['main']})
    await log.close()
    const lines = (await fs.readFile(file, 'utf8')).split('\n')
    expect(lines[1]).to.equal('{"time":"2026-12-01T08:0')
    expect(JSON.parse(lines[2]).session).to.equal('b')
  })

  it('an unwritable place is invalid input (exit 4) saying how to serve anyway', async () => {
    const blocker = path.join(dir, 'a-file')
    await fs.writeFile(blocker, '')
    const error = await DecisionLog.open(path.join(blocker, 'decisions.ndjson')).catch((e: unknown) => e)
    expect(error).to.be.instanceOf(IvrError)
    expect((error as IvrError).exitCode).to.equal(4)
    expect((error as IvrError).message).to.contain(`Cannot record decisions in ${path.join(blocker, 'decisions.ndjson')}`)
    expect((error as IvrError).suggestions.join(' ')).to.contain('--no-record')
  })

  it("lives beside the sub-account's session store, named the same way", () => {
    expect(decisionsFileFor('/data', 'acme-1')).to.equal(path.join('/data', 'decisions', 'acme-1.ndjson'))
    expect(decisionsFileFor('/data', '../evil')).to.equal(path.join('/data', 'decisions', '__evil.ndjson'))
  })
})
