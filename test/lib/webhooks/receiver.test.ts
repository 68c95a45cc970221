import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {startReceiver, type ForwardResult, type Receiver, type Rejection} from '../../../src/lib/webhooks/receiver.js'
import {EventStore, readEvents, type StoredEvent} from '../../../src/lib/sessions/store.js'
import {post, vss} from './fixtures.js'

async function stored(file: string): Promise<StoredEvent[]> {
  const out = []
  for await (const ev of readEvents(file)) out.push(ev)
  return out
}

describe('webhooks/receiver: real HTTP', () => {
  let dir: string
  let file: string
  let store: EventStore
  let receiver: Receiver | undefined
  let seen: StoredEvent[]
  let rejected: Rejection[]
  let forwarded: ForwardResult[]

  const start = async (opts: Partial<Parameters<typeof startReceiver>[0]> = {}) => {
    receiver = await startReceiver({
      host: '127.0.0.1', port: 0, store,
      onEvent: (ev, {duplicate}) => !duplicate && seen.push(ev),
      onRejected: (r) => rejected.push(r),
      onForward: (r) => forwarded.push(r),
      ...opts,
    })
    return receiver
  }

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-recv-'))
    file = path.join(dir, 'r.ndjson')
    store = await EventStore.open(file)
    seen = []
    rejected = []
    forwarded = []
  })
  afterEach(async () => {
    await receiver?.close()
    receiver = undefined
    await store.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('stores a webhook before answering 200, and a duplicate once', async () => {
    const r = await start()
    const first = await post(`${r.url}/vss`, JSON.stringify(vss('s1')))
    expect(first.status).to.equal(200)
    // The answer came after the event was on disk: a fresh reader sees it now.
    expect((await stored(file)).map((e) => e.sessionId)).to.deep.equal(['s1'])
    const again = await post(`${r.url}/vss`, JSON.stringify(vss('s1')))
    expect(again.status).to.equal(200)
    expect(JSON.parse(again.body).duplicate).to.equal(true)
    expect(await stored(file)).to.have.length(1)
    expect(seen.map((e) => e.sessionId)).to.deep.equal(['s1'])
    expect(seen[0].path).to.equal('/vss')
  })

  it('checks the auth header: right 200, wrong and missing 401, and keeps running', async () => {
    const r = await start({authHeader: 'Basic c2VjcmV0'})
    expect((await post(r.url, JSON.stringify(vss('no')))).status).to.equal(401)
    expect((await post(r.url, JSON.stringify(vss('wrong')), {authorization: 'Basic c2VjcmVU'})).status).to.equal(401)
    expect((await post(r.url, JSON.stringify(vss('longer')), {authorization: 'Basic c2VjcmV0x'})).status).to.equal(401)
    expect((await post(r.url, JSON.stringify(vss('yes')), {authorization: 'Basic c2VjcmV0'})).status).to.equal(200)
    expect((await stored(file)).map((e) => e.sessionId)).to.deep.equal(['yes'])
    expect(rejected.map((x) => x.reason)).to.deep.equal(['missing Authorization header', 'wrong Authorization header', 'wrong Authorization header'])
  })

  it('answers 413 over 1 MiB (declared or streamed), 400 for non-JSON, 404 off --path, and goes on receiving', async () => {
    const r = await start({path: '/vss'})
    const base = r.url.replace(/\/vss$/, '')
    const big = JSON.stringify({...vss('big'), padding: 'x'.repeat(1024 * 1024)})
    expect((await post(r.url, big)).status).to.equal(413)
    // Chunked, without a content-length: counted as it streams.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(r.url, {method: 'POST', headers: {'content-type': 'application/json'}}, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      for (let i = 0; i < 20; i++) req.write('x'.repeat(64 * 1024))
      req.end()
    })
    expect(chunked).to.equal(413)
    expect((await post(r.url, 'not json {')).status).to.equal(400)
    expect((await post(r.url, '42')).status).to.equal(400)
    expect((await post(`${base}/other`, JSON.stringify(vss('elsewhere')))).status).to.equal(404)
    expect((await post(r.url, JSON.stringify(vss('ok')))).status).to.equal(200)
    expect((await stored(file)).map((e) => e.sessionId)).to.deep.equal(['ok'])
    expect(rejected.map((x) => x.status)).to.deep.equal([413, 413, 400, 400, 404])
  })

  it('keeps unknown event types raw', async () => {
    const r = await start()
    const body = {eventType: 'SOMETHING_NEW', payload: {weird: [1, 2]}}
    expect((await post(r.url, JSON.stringify(body))).status).to.equal(200)
    const [ev] = await stored(file)
    expect(ev.type).to.equal('SOMETHING_NEW')
    expect(ev.body).to.deep.equal(body)
  })

  it('relays to the app and passes its answer back; an app that is down is reported, the event still stored and acknowledged', async () => {
    const got: Array<{path: string; auth?: string; body: string}> = []
    const app = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        got.push({path: req.url ?? '', auth: req.headers.authorization, body})
        res.writeHead(200, {'content-type': 'application/json'})
        res.end('{"callflow":[{"action":"hangup"}]}')
      })
    })
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
    const r = await start({forwardTo: appUrl, authHeader: 'tok'})
    const res = await post(`${r.url}/vca`, JSON.stringify({eventType: 'CALL_ACTION', payload: {sessionId: 's', eventId: 'e1'}}), {authorization: 'tok'})
    expect(res.status).to.equal(200)
    expect(JSON.parse(res.body)).to.deep.equal({callflow: [{action: 'hangup'}]})
    expect(got).to.have.length(1)
    expect(got[0]).to.include({path: '/vca', auth: 'tok'})
    expect(forwarded[0]).to.include({status: 200, url: `${appUrl}/vca`})
    // The platform retrying a VCA still needs the callflow: relayed again, stored once.
    const retry = await post(`${r.url}/vca`, JSON.stringify({eventType: 'CALL_ACTION', payload: {sessionId: 's', eventId: 'e1'}}), {authorization: 'tok'})
    expect(JSON.parse(retry.body)).to.deep.equal({callflow: [{action: 'hangup'}]})
    expect(got).to.have.length(2)
    await new Promise<void>((resolve) => app.close(() => resolve()))

    const down = await post(`${r.url}/vss`, JSON.stringify(vss('while-down')), {authorization: 'tok'})
    expect(down.status).to.equal(200)
    expect(forwarded[2].status).to.equal(undefined)
    expect(forwarded[2].error).to.match(/refused/)
    expect((await stored(file)).map((e) => e.sessionId)).to.deep.equal(['s', 'while-down'])
  })

  it('on close, finishes requests under way and has every acknowledged event stored', async () => {
    let some!: () => void
    const someStored = new Promise<void>((resolve) => (some = resolve))
    let count = 0
    const r = await start({onEvent: () => ++count === 20 && some()})
    const agent = new http.Agent({keepAlive: true, maxSockets: 50})
    const acked: string[] = []
    const sends = Array.from({length: 300}, (_, i) => post(r.url, JSON.stringify(vss(`b${i}`)), {}, agent).then((res) => {
      if (res.status === 200) acked.push(`b${i}`)
    }, () => {}))
    // Close mid-burst: some requests are done, some under way, some not yet sent.
    await someStored
    await r.close()
    await Promise.all(sends)
    agent.destroy()
    const ids = new Set((await stored(file)).map((e) => e.sessionId))
    for (const id of acked) expect(ids.has(id), id).to.equal(true)
    expect(acked.length).to.be.greaterThan(0)
  })
})

describe('webhooks/receiver: addresses and the one-receiver claim', () => {
  it('tells loopback listen addresses from the others', async () => {
    const {isLoopbackHost} = await import('../../../src/lib/http/address.js')
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).to.equal(true)
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.example.com']) expect(isLoopbackHost(h), h).to.equal(false)
  })

  it('lets one receiver claim a store, names it, and takes over a claim whose process is gone', async () => {
    const {acquireReceiverLock, runningReceiver, lockFileFor} = await import('../../../src/lib/sessions/lock.js')
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-lock-'))
    const file = path.join(dir, 's.ndjson')
    try {
      expect(await runningReceiver(file)).to.equal(undefined)
      // Another live process (our parent) holds it.
      await fs.writeFile(lockFileFor(file), JSON.stringify({pid: process.ppid, url: 'http://127.0.0.1:1', startedAt: ''}))
      expect((await runningReceiver(file))?.pid).to.equal(process.ppid)
      const refused = await acquireReceiverLock(file, {pid: process.pid, url: '', startedAt: ''}).catch((e) => e)
      expect(refused.exitCode).to.equal(2)
      expect(refused.message).to.contain(`pid ${process.ppid}`)
      // A dead one: taken over.
      await fs.writeFile(lockFileFor(file), JSON.stringify({pid: 2 ** 22 + 12345, url: '', startedAt: ''}))
      expect(await runningReceiver(file)).to.equal(undefined)
      const lock = await acquireReceiverLock(file, {pid: process.pid, url: 'http://127.0.0.1:2', startedAt: ''})
      expect((await runningReceiver(file))?.url).to.equal('http://127.0.0.1:2')
      await lock.release()
      expect(await runningReceiver(file)).to.equal(undefined)
    } finally {
      await fs.rm(dir, {recursive: true, force: true})
    }
  })
})
