import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {postJson} from '../../helpers/net.js'
import {projectRoot} from '../../helpers/run.js'
import type {SayParams, VcaResponse} from '../../../src/lib/callflow/types.js'
import {parseMenuText, type Menu} from '../../../src/lib/menu/model.js'
import {startMenuServer, type AnswerReport, type MenuServer, type RefusedReport} from '../../../src/lib/menu/server.js'

/** The VCA answer by default (text when the server did not answer JSON). */
const post = <B = VcaResponse>(url: string, body: string, headers: Record<string, string> = {}, method = 'POST') => postJson<B>(url, body, headers, method)

const vca = (p: Record<string, unknown>) => JSON.stringify({namespace: 'VOICE', eventType: 'CALL_ACTION', payload: {sessionId: 'sess-1', callStatus: 'ACTION_COMPLETED', callDirection: 'INBOUND', source: '+6591234567', destination: '+6531591234', ...p}})

describe('menu server', () => {
  let menu: Menu
  let server: MenuServer
  const answers: AnswerReport[] = []
  const refused: RefusedReport[] = []
  before(async () => {
    menu = parseMenuText(await fs.readFile(path.join(projectRoot, 'examples', 'menus', 'restaurant.yaml'), 'utf8'), 'restaurant.yaml').menu!
    server = await startMenuServer({menu, port: 0, authHeader: 'Basic c2VjcmV0', path: '/vca', onAnswer: (r) => answers.push(r), onRefused: (r) => refused.push(r)})
  })
  after(() => server.close())
  const auth = {authorization: 'Basic c2VjcmV0'}

  it('answers a VCA over HTTP with the next menu and reports it', async () => {
    const r = await post(server.url, vca({clientActionId: 'main', eventData: {dtmf: '2'}}), auth)
    expect(r.status).to.equal(200)
    expect(r.body.clientActionId).to.equal('staff')
    expect(r.body.callflow[0].action).to.equal('sayAndCapture')
    const last = answers.at(-1)!
    expect([last.sessionId, last.from, last.taken]).to.deep.equal(['sess-1', 'main', '2'])
    expect(last.answer.resolution.outcome).to.deep.equal({kind: 'menu', node: 'staff'})
  })

  it('never answers 500: garbage, an unknown node or a non-JSON body get the apology and a hang-up', async () => {
    for (const body of ['{not json', '[]', vca({clientActionId: 'deleted-node', eventData: {dtmf: '1'}}), '']) {
      const r = await post(server.url, body, auth)
      expect(r.status, body).to.equal(200)
      expect(r.body.callflow.map((a) => a.action), body).to.deep.equal(['say', 'hangup'])
      expect((r.body.callflow[0].params as SayParams).text).to.equal('Sorry, something went wrong on our side. Please call again later. Goodbye.')
      expect(answers.at(-1)!.answer.problem, body).to.be.a('string')
    }
  })

  it('refuses a missing or wrong Authorization header, another path, and other methods', async () => {
    expect((await post(server.url, vca({}), {})).status).to.equal(401)
    expect((await post(server.url, vca({}), {authorization: 'Basic bm9wZQ=='})).status).to.equal(401)
    expect((await post(server.url.replace('/vca', '/other'), vca({}), auth)).status).to.equal(404)
    expect((await post(server.url, '', auth, 'PUT')).status).to.equal(405)
    expect(refused.map((r) => r.status)).to.deep.equal([401, 401, 404, 405])
    // GET is the health check, also without the header: it says nothing of the menu.
    const health = await post<unknown>(server.url, '', {}, 'GET')
    expect(health).to.deep.equal({status: 200, body: {server: 'ivr serve', ok: true}})
    expect(JSON.stringify(refused)).not.to.contain('c2VjcmV0')
  })

  it('refuses a body over 1 MB with 413', async () => {
    const r = await post(server.url, 'x'.repeat(1024 * 1024 + 10), auth)
    expect(r.status).to.equal(413)
  })

  it('serves another menu after setMenu', async () => {
    const other = parseMenuText('nodes:\n  welcome:\n    say: Press 1.\n    choices: {"1": {say: "Bye now.", hangup: true}}\n', 'x.yaml').menu!
    server.setMenu(other)
    try {
      const r = await post(server.url, vca({callStatus: 'CALL_RECEIVED'}), auth)
      expect(r.body.clientActionId).to.equal('welcome')
    } finally {
      server.setMenu(menu)
    }
  })
})
