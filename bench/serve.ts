// `ivr serve` throughput and latency (decisions recorded, as it runs by default) on loopback at 50 concurrent requests, beside a bare node:http
// server answering a fixed JSON body, measured the same way in the same run. Each server runs in
// its own child process, so the load generator does not share its event loop.
//   node --import tsx bench/serve.ts
import {fork} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {httpLoad, type LoadResult} from './lib/http-load.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const MENU = path.join(here, '..', 'examples', 'menus', 'restaurant.yaml')
const CONCURRENCY = 50
const WARMUP_MS = Number(process.env.BENCH_SERVE_WARMUP_MS || 700)
const MEASURE_MS = Number(process.env.BENCH_SERVE_MS || 4000)
const TARGET_RATE = 2000

// ---- the servers (child side) -----------------------------------------------------------------

async function serveChild(kind: string): Promise<void> {
  let port: number
  if (kind === 'menu') {
    const {parseMenuText} = await import('../src/lib/menu/model.js')
    const {startMenuServer} = await import('../src/lib/menu/server.js')
    const {DecisionLog, decisionRecorder} = await import('../src/lib/analytics/decisions.js')
    const menu = parseMenuText(readFileSync(MENU, 'utf8'), MENU).menu!
    // As `ivr serve` runs by default: every answer's decision on disk before the answer goes out.
    const dir = mkdtempSync(path.join(tmpdir(), 'ivr-bench-serve-'))
    const log = await DecisionLog.open(path.join(dir, 'decisions.ndjson'))
    process.on('SIGTERM', () => {
      rmSync(dir, {recursive: true, force: true})
      process.exit(0)
    })
    const server = await startMenuServer({menu, host: '127.0.0.1', port: 0, authHeader: 'Basic YmVuY2g6YmVuY2g=', onAnswer: () => {}, record: decisionRecorder(log, MENU)})
    port = server.port
  } else {
    // The same work a minimal webhook server does: read the body, parse it, answer JSON.
    const answer = JSON.stringify({clientActionId: 'main', callflow: [{action: 'sayAndCapture', params: {promptMessage: 'Press 1.', voiceProfile: 'en-US-Neural2-C'}}]})
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'))
        res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(answer)})
        res.end(answer)
      })
    })
    server.keepAliveTimeout = 65_000
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as {port: number}).port
  }
  process.send!({port})
}

// ---- the load (parent side) -------------------------------------------------------------------

const vca = (p: Record<string, unknown>) => JSON.stringify({
  namespace: 'VOICE', eventType: 'CALL_ACTION', description: 'Action callback',
  payload: {
    eventId: 'e', callId: 'c', sessionId: '3f2a9c1e-1111-4222-8333-944445555666', subAccountId: 'bench', callDirection: 'INBOUND', callType: 'PSTN',
    source: '+6591234567', destination: '+6531591234', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG',
    callDuration: 12, sipCode: 200, timestamp: new Date().toISOString(), ...p,
  },
})
const BODIES = [
  vca({callStatus: 'CALL_RECEIVED'}),
  vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'main', eventData: {dtmf: '1'}}),
  vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'reservations', eventData: {dtmf: '1'}}),
  vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'book', eventData: {dtmf: '2'}}),
  vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'staff', eventData: {dtmf: '9'}}),
]

/** `concurrency` connections posting the menu walk's VCAs in turn (see httpLoad for `rate`). */
const load = (port: number, concurrency: number, measureMs: number, rate?: number): Promise<LoadResult> =>
  httpLoad({port, path: '/vca', headers: {authorization: 'Basic YmVuY2g6YmVuY2g='}, concurrency, warmupMs: WARMUP_MS, measureMs, rate, body: (n) => BODIES[n % BODIES.length]})

async function measure(kind: 'menu' | 'bare'): Promise<{loaded: LoadResult; paced: LoadResult; single: LoadResult}> {
  const child = fork(fileURLToPath(import.meta.url), ['--server', kind], {execArgv: ['--import', 'tsx', '--no-warnings'], stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: {port: number}) => resolve(m.port))
      child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)))
    })
    const loaded = await load(port, CONCURRENCY, MEASURE_MS)
    // At the target rate: the latency a platform sending 2,000 webhooks a second would see.
    const paced = await load(port, CONCURRENCY, MEASURE_MS, TARGET_RATE)
    // One request at a time: the latency of a single answer, without queueing behind 49 others.
    const single = await load(port, 1, 1500)
    return {loaded, paced, single}
  } finally {
    child.kill()
  }
}

if (process.argv[2] === '--server') {
  await serveChild(process.argv[3])
} else {
  const bare = await measure('bare')
  const menu = await measure('menu')
  const f = (n: number) => Math.round(n).toLocaleString('en-US')
  const m = menu.loaded
  const b = bare.loaded
  console.log(`  ivr serve (recording decisions), saturated: ${f(m.rate)} VCA answers/s at ${CONCURRENCY} concurrent, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms (target >= 2,000/s, p99 < 10 ms)`)
  console.log(`  bare node:http JSON echo: ${f(b.rate)} req/s at ${CONCURRENCY} concurrent, p99 ${b.p99.toFixed(2)} ms; ratio ${(m.rate / b.rate).toFixed(2)}`)
  console.log(`  at ${f(TARGET_RATE)}/s offered, up to ${CONCURRENCY} in flight: ivr serve p50 ${menu.paced.p50.toFixed(2)} ms, p99 ${menu.paced.p99.toFixed(2)} ms (bare p99 ${bare.paced.p99.toFixed(2)} ms; target p99 < 10 ms)`)
  console.log(`  one at a time: ivr serve p50 ${menu.single.p50.toFixed(2)} ms, p99 ${menu.single.p99.toFixed(2)} ms (bare p99 ${bare.single.p99.toFixed(2)} ms, ratio ${(menu.single.p99 / bare.single.p99).toFixed(2)})`)
  const errors = m.errors + b.errors + menu.single.errors + bare.single.errors + menu.paced.errors + bare.paced.errors
  if (errors > 0) console.log(`  non-200 or failed requests: ${errors}`)
}
