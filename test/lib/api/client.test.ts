import {expect} from 'chai'
import nock from 'nock'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import {VoiceApi, backoffMs, bypassesProxy} from '../../../src/lib/api/client.js'
import {ApiError} from '../../../src/lib/api/errors.js'
import {resolveCredentials} from '../../../src/lib/settings.js'
import {startFakeApi} from '../../helpers/fake-api.js'

// Faults only (nock): a host that never resolves for real, so nothing can leak out.
const FAULT_BASE = 'https://voice.fault.test'

// Retries wait 5 ms, doubling (the tool's own first wait is 1 s): the tests count them, not wait them out.
function client(baseUrl = FAULT_BASE, extra: Partial<ConstructorParameters<typeof VoiceApi>[0]> = {}) {
  return new VoiceApi({baseUrl, apiKey: 'secret-key-ABCD', subAccountId: 'acme', userAgent: 'ivr/test', retries: 2, retryBackoffMs: 5, ...extra})
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (error) {
    expect(error).to.be.instanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected a failure')
}

async function listen(handler: http.RequestListener): Promise<{server: http.Server; url: string}> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}
}

describe('VoiceApi', () => {
  afterEach(() => nock.cleanAll())

  it('sends Bearer auth, JSON and its user agent to the sub-account path (real loopback server)', async () => {
    const api = await startFakeApi({apiKey: 'secret-key-ABCD', routes: {'GET /webhooks': () => ({status: 200, body: {webhooks: [], count: 0}})}})
    try {
      const res = await client(api.baseUrl).listWebhooks()
      expect(res.webhooks).to.deep.equal([])
      const req = api.requests[0]
      expect(req.path).to.equal('/api/v1/subaccounts/acme/webhooks')
      expect(req.headers.authorization).to.equal('Bearer secret-key-ABCD')
      expect(req.headers['user-agent']).to.equal('ivr/test')
    } finally {
      await api.close()
    }
  })

  it('waits 1 s before the first retry, doubling up to 8 s (the wait given to the client, when given)', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n))).to.deep.equal([1000, 2000, 4000, 8000, 8000])
    expect([1, 2, 3].map((n) => backoffMs(n, 5))).to.deep.equal([5, 10, 20])
  })

  it('retries a GET on 503 and succeeds, after the backoff it was given (traced for --debug)', async () => {
    const lines: string[] = []
    const scope = nock(FAULT_BASE).get('/api/v1/subaccounts/acme/numbers').reply(503, {statusMessage: 'busy'}).get('/api/v1/subaccounts/acme/numbers').reply(200, {totalNumbers: 0, numbers: []})
    const res = await client(FAULT_BASE, {debug: (l) => lines.push(l)}).listNumbers()
    expect(res.totalNumbers).to.equal(0)
    expect(scope.isDone()).to.equal(true)
    expect(lines.filter((l) => l.startsWith('... retry'))).to.deep.equal(['... retry 1 in 5 ms after HTTP 503'])
  })

  it('retries a DELETE on 503 too', async () => {
    const scope = nock(FAULT_BASE).delete('/api/v1/subaccounts/acme/webhooks/VCA').reply(503, {statusMessage: 'busy'}).delete('/api/v1/subaccounts/acme/webhooks/VCA').reply(200, {})
    await client().deleteWebhook('VCA')
    expect(scope.isDone()).to.equal(true)
  })

  it('gives up after bounded retries with exit 6 and the platform message', async () => {
    const lines: string[] = []
    nock(FAULT_BASE).get('/api/v1/subaccounts/acme/numbers').times(3).reply(502, {statusCode: -9999, statusMessage: 'upstream down'})
    const err = await failure(client(FAULT_BASE, {debug: (l) => lines.push(l)}).listNumbers())
    expect(err.exitCode).to.equal(6)
    expect(err.message).to.contain('502').and.contain('upstream down')
    expect(nock.pendingMocks()).to.have.length(0)
    expect(lines.filter((l) => l.startsWith('... retry')).map((l) => l.replace(/ in \d+ ms/, ''))).to.deep.equal(['... retry 1 after HTTP 502', '... retry 2 after HTTP 502'])
  })

  it('honours Retry-After on 429 over its own backoff', async () => {
    const lines: string[] = []
    const scope = nock(FAULT_BASE).get('/api/v1/subaccounts/acme/webhooks').reply(429, {}, {'Retry-After': '1'}).get('/api/v1/subaccounts/acme/webhooks').reply(200, {webhooks: []})
    const started = Date.now()
    await client(FAULT_BASE, {debug: (l) => lines.push(l)}).listWebhooks()
    expect(scope.isDone()).to.equal(true)
    expect(Date.now() - started).to.be.at.least(900)
    expect(lines.filter((l) => l.startsWith('... retry'))).to.deep.equal(['... retry 1 in 1000 ms after HTTP 429'])
  })

  it('a 429 whose Retry-After is longer than a command waits is not retried, and the message does not claim it was', async () => {
    nock(FAULT_BASE).get('/api/v1/subaccounts/acme/numbers').reply(429, {statusMessage: 'slow down'}, {'Retry-After': '3600'})
    const err = await failure(client().listNumbers())
    expect(err.exitCode).to.equal(6)
    expect(err.message).to.equal('Too many requests (429). The platform said: slow down.')
    expect(err.suggestions).to.deep.equal(['Wait 3600 s and try again.'])
    nock(FAULT_BASE).get('/api/v1/subaccounts/acme/numbers').times(3).reply(429, {statusMessage: 'slow down'})
    const retried = await failure(client().listNumbers())
    expect(retried.message).to.equal('Too many requests (429), still after retrying. The platform said: slow down.')
    expect(nock.pendingMocks()).to.have.length(0)
  })

  it('never retries a Send Callflow POST on 503', async () => {
    let calls = 0
    nock(FAULT_BASE).post('/api/v1/subaccounts/acme/callflows').times(3).reply(() => {
      calls++
      return [503, {statusMessage: 'busy'}]
    })
    const err = await failure(client().sendCallflow({callflow: []}))
    expect(err.exitCode).to.equal(6)
    expect(calls).to.equal(1)
  })

  it('never retries a Send Callflow POST whose connection was reset, and says it may have arrived', async () => {
    // A real reset: a loopback server that drops the connection once it has the request.
    let received = 0
    const dropper = await listen((req) => {
      received++
      req.socket.destroy()
    })
    try {
      const reset = await failure(client(dropper.url).sendCallflow({callflow: []}))
      expect(received, 'the POST was sent again').to.equal(1)
      expect(reset.exitCode).to.equal(6)
      expect(reset.suggestions.join(' ')).to.contain('may have reached the server')
    } finally {
      dropper.server.close()
    }
  })

  it('times out with exit 6 when the server never answers', async () => {
    const silent = await listen(() => {})
    try {
      const err = await failure(client(silent.url, {timeoutMs: 300, retries: 0}).getSpeechProfiles())
      expect(err.exitCode).to.equal(6)
      expect(err.code).to.equal('TIMEOUT')
    } finally {
      silent.server.closeAllConnections()
      silent.server.close()
    }
  })

  it('retries a GET whose connection was reset', async () => {
    let seen = 0
    const flaky = await listen((req, res) => {
      seen++
      if (seen === 1) return req.socket.destroy()
      res.writeHead(200, {'content-type': 'application/json'})
      res.end('{"speechProfiles":[]}')
    })
    try {
      const res = await client(flaky.url).getSpeechProfiles()
      expect(res.speechProfiles).to.deep.equal([])
      expect(seen).to.equal(2)
    } finally {
      flaky.server.close()
    }
  })

  it('maps 401 and 403 to exit 3, 404 to 5, 400 NOT_CREATED to 4 with the platform code', async () => {
    nock(FAULT_BASE).get('/api/v1/subaccounts/acme/webhooks').reply(401, {statusCode: 401, statusMessage: 'Unauthorized'})
    expect((await failure(client().listWebhooks())).exitCode).to.equal(3)
    nock(FAULT_BASE).get('/api/v1/subaccounts/acme/webhooks').reply(403, {})
    expect((await failure(client().listWebhooks())).exitCode).to.equal(3)
    nock(FAULT_BASE).get('/api/v1/subaccounts/acme/numbers/123').reply(404, {})
    expect((await failure(client().checkNumber('123'))).exitCode).to.equal(5)
    nock(FAULT_BASE).post('/api/v1/subaccounts/acme/callflows').reply(400, {sessionStatus: 'NOT_CREATED', callFlowRequestId: 'req-77', statusCode: -1013, statusMessage: 'first action must be makeCall'}, {'x-request-id': 'rid-1'})
    const err = await failure(client().sendCallflow({callflow: []}))
    expect(err).to.include({exitCode: 4, statusCode: -1013, httpStatus: 400, requestId: 'rid-1'})
    expect(err.message).to.contain('-1013').and.contain('makeCall')
  })

  it('reports a refused connection as a network failure (exit 6)', async () => {
    const err = await failure(client('http://127.0.0.1:9', {retries: 0}).listNumbers())
    expect(err.exitCode).to.equal(6)
    expect(err.message).to.contain('ECONNREFUSED')
  })

  it('traces requests for --debug with the key and auth headers masked', async () => {
    const lines: string[] = []
    nock(FAULT_BASE).post('/api/v1/subaccounts/acme/webhooks').reply(200, {webhooks: []})
    await client(FAULT_BASE, {debug: (l) => lines.push(l)}).createWebhook({type: 'VCA', url: 'https://x.example.com', httpAuthHeader: 'Bearer very-secret-WXYZ'})
    const text = lines.join('\n')
    expect(text).to.contain('--> POST https://voice.fault.test/api/v1/subaccounts/acme/webhooks')
    expect(text).to.match(/<-- 200 POST .* ms/)
    expect(text).not.to.contain('secret-key-ABCD')
    expect(text).not.to.contain('very-secret-WXYZ')
    expect(text).to.contain('****ABCD').and.contain('****WXYZ')
  })

  it('honours NO_PROXY entries', () => {
    expect(bypassesProxy('voice.8x8.com', '8x8.com')).to.equal(true)
    expect(bypassesProxy('voice.8x8.com', '.8x8.com,localhost')).to.equal(true)
    expect(bypassesProxy('voice.8x8.com', 'example.com')).to.equal(false)
    expect(bypassesProxy('anything', '*')).to.equal(true)
  })
})

describe('resolveCredentials', () => {
  const stored = {version: 1 as const, default: 'stored-acct', accounts: {'stored-acct': {apiKey: 'k-stored', baseUrl: 'https://eu.example.com'}, 'flag-acct': {apiKey: 'k-flag'}}}

  it('takes flag over env over the stored default', () => {
    expect(resolveCredentials({env: {}, stored})).to.include({account: 'stored-acct', apiKey: 'k-stored', baseUrl: 'https://eu.example.com', source: 'stored'})
    expect(resolveCredentials({env: {IVR_ACCOUNT: 'flag-acct'}, stored})).to.include({account: 'flag-acct', apiKey: 'k-flag', source: 'env', baseUrl: 'https://voice.8x8.com'})
    expect(resolveCredentials({flagAccount: 'stored-acct', env: {IVR_ACCOUNT: 'flag-acct', IVR_API_KEY: 'k-env', IVR_BASE_URL: 'https://env.example.com'}, stored, flagBaseUrl: 'https://flag.example.com'}))
      .to.include({account: 'stored-acct', apiKey: 'k-env', baseUrl: 'https://flag.example.com', source: 'flag'})
  })

  it('exits 3 with directions when nothing is set', () => {
    expect(() => resolveCredentials({env: {}, stored: {version: 1, accounts: {}}})).to.throw(/No account/).with.property('exitCode', 3)
    expect(() => resolveCredentials({env: {IVR_ACCOUNT: 'x-y-z'}, stored: {version: 1, accounts: {}}})).to.throw(/No API key/).with.property('exitCode', 3)
  })
})
