import {expect} from 'chai'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import {jsonOf, request, requestJson} from '../../../src/lib/http/client.js'

describe('the small JSON client', () => {
  let server: http.Server
  let url: string
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/trickle') {
        // Answers, but never finishes: only an overall deadline ends it.
        res.writeHead(200)
        const t = setInterval(() => res.write('.'), 20)
        res.on('close', () => clearInterval(t))
        return
      }
      if (req.url === '/big') return void res.end('x'.repeat(3000))
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({method: req.method, auth: req.headers.authorization ?? null}))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('sends JSON and reads the answer as JSON', async () => {
    const r = await requestJson(`${url}/x`, {method: 'PUT', json: {a: 1}, headers: {authorization: 'Bearer k'}})
    expect([r.status, r.data]).to.deep.equal([200, {method: 'PUT', auth: 'Bearer k'}])
  })

  it('ends an answer that never finishes at the deadline, saying it timed out', async () => {
    const r = await request(`${url}/trickle`, {timeoutMs: 1000, deadlineMs: 150})
    expect(r.error).to.equal('no answer within 150 ms')
    expect(r.cause?.timedOut).to.equal(true)
  })

  it('keeps at most maxBodyBytes of an answer, and tells a refused connection', async () => {
    expect((await request(`${url}/big`, {maxBodyBytes: 1000})).body).to.have.length(1000)
    const refused = await request('http://127.0.0.1:1/', {timeoutMs: 500})
    expect(refused.status).to.equal(undefined)
    expect(refused.error).to.equal('connection refused (is it running?)')
    expect(refused.cause?.code).to.equal('ECONNREFUSED')
  })

  it('reads JSON bodies leniently: blank is undefined, non-JSON stays text', () => {
    expect([jsonOf(''), jsonOf('  '), jsonOf('{"a":1}'), jsonOf('oops')]).to.deep.equal([undefined, undefined, {a: 1}, 'oops'])
  })
})
