// The sandbox end to end: Send Callflow requests per second with their whole simulated sessions
// (virtual clock, a sayAndCapture, a VCA round trip to a local responder, the VSS delivered to a
// local receiver), beside a bare node:http server answering the same POSTs on the same client.
// Target: >= 500 sessions/s on loopback; peak RSS for 10,000 sessions (finished ones are evicted
// past 5,000). Run: node --import tsx bench/sandbox.ts [sessions]
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import {startSandbox} from '../src/lib/sandbox/server.js'

const SESSIONS = Number(process.argv[2] ?? 10_000)
const CONCURRENCY = 64
const DEADLINE_MS = 45_000

const agent = new http.Agent({keepAlive: true, maxSockets: CONCURRENCY})

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method: 'POST', agent, headers: {'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers}}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function listen(handler: http.RequestListener): Promise<{server: http.Server; url: string}> {
  const server = http.createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}
}

function drain(req: http.IncomingMessage, done: (text: string) => void): void {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')))
}

/** Runs `total` tasks with at most CONCURRENCY in flight; resolves with the seconds taken. */
async function pump(total: number, task: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint()
  let next = 0
  await Promise.all(Array.from({length: CONCURRENCY}, async () => {
    while (next < total) await task(next++)
  }))
  return Number(process.hrtime.bigint() - started) / 1e9
}

const ANSWER = JSON.stringify({clientActionId: 'done', callflow: [{action: 'say', params: {text: 'Thank you, goodbye.', voiceProfile: 'en-US-Neural2-C'}}, {action: 'hangup'}]})
const vca = await listen((req, res) => drain(req, () => res.writeHead(200, {'content-type': 'application/json'}).end(ANSWER)))
let summaries = 0
let allDone: () => void = () => {}
const finished = new Promise<void>((r) => (allDone = r))
const vss = await listen((req, res) => drain(req, () => {
  res.writeHead(200).end()
  if (++summaries === SESSIONS) allDone()
}))

const sb = await startSandbox({port: 0})
const auth = {authorization: `Bearer ${sb.apiKey}`}
const api = `${sb.baseUrl}/api/v1/subaccounts/bench`
await post(`${api}/webhooks`, JSON.stringify({type: 'VCA', url: `${vca.url}/vca`}), auth)
await post(`${api}/webhooks`, JSON.stringify({type: 'VSS', url: `${vss.url}/vss`}), auth)
sb.engine.setPresses('bench', '+6591234567', ['1'])
const body = JSON.stringify({callflow: [
  {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
  {action: 'sayAndCapture', params: {promptMessage: 'Press 1 to confirm your appointment.', voiceProfile: 'en-US-Neural2-C', minDigits: 1, maxDigits: 1, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 1}},
]})

const rssBefore = process.memoryUsage().rss
const started = process.hrtime.bigint()
let created = 0
await pump(SESSIONS, async () => {
  if ((await post(`${api}/callflows`, body, auth)) === 200) created++
})
const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), DEADLINE_MS).unref())
const outcome = await Promise.race([finished.then(() => 'ok' as const), timeout])
const seconds = Number(process.hrtime.bigint() - started) / 1e9
const peakRssMb = process.resourceUsage().maxRSS / 1024
await sb.close()

// Baseline: the same client and concurrency against a bare server that only answers 200.
const bare = await listen((req, res) => drain(req, () => res.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true}')))
const baseRequests = SESSIONS * 2
const baseSeconds = await pump(baseRequests, () => post(`${bare.url}/callflows`, body))

const rate = summaries / seconds
const baseRate = baseRequests / baseSeconds
console.log(`sandbox: ${Math.round(rate)} send-callflow sessions/s end to end (${created} created, ${summaries} VSS received${outcome === 'timeout' ? `, stopped at the ${DEADLINE_MS / 1000} s deadline` : ''}; bare node:http ${Math.round(baseRate)} req/s, ratio ${(rate / baseRate).toFixed(2)}); target >= 500/s`)
console.log(`sandbox: peak RSS ${Math.round(peakRssMb)} MB for ${SESSIONS.toLocaleString('en-US')} sessions (RSS before ${Math.round(rssBefore / 1_048_576)} MB; finished sessions kept: ${sb.engine.listSessions().length})`)
agent.destroy()
for (const s of [vca.server, vss.server, bare.server]) s.close()
process.exit(0)
