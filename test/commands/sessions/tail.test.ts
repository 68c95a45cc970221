import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {readEvents} from '../../../src/lib/sessions/store.js'
import {post, vss} from '../../lib/webhooks/fixtures.js'
import {runIvr} from '../../helpers/run.js'
import {LiveIvr} from './spawn.js'

async function storedIds(file: string): Promise<string[]> {
  const out: string[] = []
  for await (const ev of readEvents(file)) out.push(ev.sessionId ?? '')
  return out
}

describe('ivr sessions tail', function () {
  this.timeout(60_000)
  let dir: string
  let store: string
  let live: LiveIvr | undefined
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-tail-'))
    store = path.join(dir, 'tail.ndjson')
  })
  afterEach(async () => {
    if (live && live.child.exitCode === null && live.child.signalCode === null) live.kill('SIGKILL')
    live = undefined
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('checks auth and path, prints one masked line per summary, a duplicate once, status on stderr; Ctrl-C exits 0', async () => {
    const auth = {authorization: 'Basic dG9wLXNlY3JldA=='}
    live = new LiveIvr(['sessions', 'tail', '--port', '0', '--store', store, '--path', '/vss'], {IVR_WEBHOOK_AUTH: auth.authorization})
    const url = await live.url()
    expect(url).to.match(/\/vss$/)
    expect(live.stderr).to.contain('Ctrl-C to stop')
    expect((await post(url, JSON.stringify(vss('no-auth')))).status).to.equal(401)
    expect((await post(url, JSON.stringify(vss('bad-auth')), {authorization: 'Basic nope'})).status).to.equal(401)
    expect((await post(url.replace('/vss', '/other'), JSON.stringify(vss('elsewhere')), auth)).status).to.equal(404)
    expect((await post(url, JSON.stringify(vss('11111111-aaaa', {sessionStatus: 'BUSY'})), auth)).status).to.equal(200)
    expect((await post(url, JSON.stringify(vss('11111111-aaaa', {sessionStatus: 'BUSY'})), auth)).status).to.equal(200)
    expect((await post(url, JSON.stringify({eventType: 'NEW_THING', payload: {x: 1}}), auth)).status).to.equal(200)
    expect((await post(url, 'nope', auth)).status).to.equal(400)
    await live.waitFor(/NEW_THING/, 'stdout')
    live.kill('SIGINT')
    const {code} = await live.exited
    expect(code).to.equal(0)
    const lines = live.stdout.trim().split('\n')
    expect(lines).to.have.length(2)
    expect(lines[0]).to.match(/BUSY\s+11111111\s+\+65\*\*\*\*1234 → \+65\*\*\*\*8965/)
    expect(lines[1]).to.contain('NEW_THING  {"eventType":"NEW_THING","payload":{"x":1}}')
    expect(live.stdout).not.to.contain('91238965')
    expect(live.stdout + live.stderr).not.to.contain('dG9wLXNlY3JldA')
    expect(live.stderr).to.contain('401 POST /vss: missing Authorization header')
    expect(live.stderr).to.contain('400 POST /vss: body is not JSON')
    expect(live.stderr).to.match(/Stored 2 events; 1 duplicate ignored; 4 requests refused/)
    expect(await storedIds(store)).to.deep.equal(['11111111-aaaa', ''])
  })

  it('--json prints NDJSON: the payload as received plus receivedAt; --status filters what is printed, not what is stored', async () => {
    live = new LiveIvr(['sessions', 'tail', '--port', '0', '--store', store, '--json', '--status', 'FAILED', '--show-numbers'])
    const url = await live.url()
    await post(url, JSON.stringify(vss('ok-1')))
    await post(url, JSON.stringify(vss('bad-1', {sessionStatus: 'FAILED'})))
    await live.waitFor(/bad-1/, 'stdout')
    live.kill('SIGTERM')
    expect((await live.exited).code).to.equal(0)
    const objects = live.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(objects).to.have.length(1)
    expect(objects[0].payload.sessionId).to.equal('bad-1')
    expect(objects[0].payload.details.callA.destination).to.equal('+6591238965')
    expect(Number.isNaN(Date.parse(objects[0].receivedAt))).to.equal(false)
    expect(await storedIds(store)).to.deep.equal(['ok-1', 'bad-1'])
  })

  it('SIGTERM during a burst: exits 0, and every acknowledged event is in the store, once', async () => {
    live = new LiveIvr(['sessions', 'tail', '--port', '0', '--store', store])
    const url = await live.url()
    const agent = new http.Agent({keepAlive: true, maxSockets: 50})
    const acked: string[] = []
    let signalled = false
    const sends = Array.from({length: 600}, (_, i) => post(url, JSON.stringify(vss(`burst-${i}`)), {}, agent).then((r) => {
      if (r.status === 200) acked.push(`burst-${i}`)
      if (acked.length === 100 && !signalled) {
        signalled = true
        live!.kill('SIGTERM')
      }
    }, () => {}))
    await Promise.all(sends)
    agent.destroy()
    expect((await live.exited).code).to.equal(0)
    const ids = await storedIds(store)
    expect(new Set(ids).size).to.equal(ids.length)
    const have = new Set(ids)
    expect(acked.filter((id) => !have.has(id))).to.deep.equal([])
    expect(acked.length).to.be.at.least(100)
  })

  it('forwards to the app and prints its answer; an app that is down is reported, the event still acknowledged; a closed stdout ends it quietly', async () => {
    const app = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(202)
        res.end()
      })
    })
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/hooks/vss`
    live = new LiveIvr(['sessions', 'tail', '--port', '0', '--store', store, '--forward-to', appUrl])
    const url = await live.url()
    expect((await post(url, JSON.stringify(vss('fwd-1')))).status).to.equal(200)
    await live.waitFor(/<-- 202 POST http:\/\/127\.0\.0\.1:\d+\/hooks\/vss \d+ ms/, 'stdout')
    await new Promise<void>((resolve) => app.close(() => resolve()))
    expect((await post(url, JSON.stringify(vss('fwd-2')))).status).to.equal(200)
    await live.waitFor(/<-- failed POST .*connection refused/, 'stdout')
    expect(await storedIds(store)).to.deep.equal(['fwd-1', 'fwd-2'])
    // `| head` closing the pipe: the next lines hit it, and tail stops quietly with 0.
    live.child.stdout.destroy()
    for (let i = 0; i < 5; i++) await post(url, JSON.stringify(vss(`more-${i}`))).catch(() => undefined)
    expect((await live.exited).code).to.equal(0)
    expect(live.stderr).not.to.match(/Error|EPIPE|at .*\.js/)
  })

  it('refuses a port in use, a port out of range, a bad --status (exit 2) and a folder as the store (exit 4), clearly', async () => {
    const blocker = http.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = String((blocker.address() as AddressInfo).port)
    let r = await runIvr(['sessions', 'tail', '--port', port, '--store', store])
    await new Promise<void>((resolve) => blocker.close(() => resolve()))
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain(`Port ${port} on 127.0.0.1 is in use`)
    r = await runIvr(['sessions', 'tail', '--port', '0', '--store', store, '--status', 'DONE'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('"DONE" is not a session status')
    r = await runIvr(['sessions', 'tail', '--port', '0', '--store', store, '--register'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--register needs --public-url')
    r = await runIvr(['sessions', 'tail', '--port', '0', '--store', store, '--register', '--public-url', 'abc.ngrok.app/vss'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('"abc.ngrok.app/vss" is not an absolute URL')
    r = await runIvr(['sessions', 'tail', '--port', '99999', '--store', store])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('less than or equal to 65535')
    expect(r.stderr).not.to.contain('Unexpected')
    r = await runIvr(['sessions', 'tail', '--port', '0', '--store', path.dirname(store)])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('it is a folder')
  })
})
