// The receiver and the store, measured (npm run bench runs this; alone: node --import tsx bench/receiver.ts).
// 1. Webhooks per second on loopback with durable append, at 50 and 200 concurrent senders, beside
//    a bare node:http server answering 200 measured the same way in the same run.
// 2. `sessions stats` over 1,000,000 stored summaries, beside a bare read of the same file counting its lines.
// Servers and the stats run in child processes so the load generator does not share their event loop.
import {spawn} from 'node:child_process'
import {createWriteStream, promises as fs} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {httpLoad, type LoadResult} from './lib/http-load.js'

const self = fileURLToPath(import.meta.url)
const SECONDS = Number(process.env.BENCH_RECEIVER_SECONDS || 2.5)
const WARMUP_MS = 500
const TARGET_RATE = 2000
const SUMMARIES = Number(process.env.BENCH_STATS_SUMMARIES || 1_000_000)

function bodyObject(i: number) {
  const statuses = ['COMPLETED', 'COMPLETED', 'COMPLETED', 'BUSY', 'NO_ANSWER', 'FAILED', 'ERROR']
  const status = statuses[i % statuses.length]
  const d = status === 'COMPLETED' ? 20 + (i % 300) : 0
  const end = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString()
  return {
    namespace: 'VOICE', eventType: 'SESSION_SUMMARY', description: 'Voice session summary',
    payload: {
      sessionId: `bench-${i}-${(i * 2654435761 % 4294967296).toString(16)}`, subAccountId: 'bench', sessionStatus: status,
      startTime: end, endTime: end, lastAction: d ? 'HANGUP' : 'MAKE_CALL', callCount: 1, clientRequestId: null,
      errorDetails: status === 'ERROR' ? {errorMsg: 'TTS failed', errorCode: -2005} : null,
      details: {callA: {
        callId: `c-${i}`, callDirection: 'OUTBOUND', callType: 'PSTN', initiatedTimestamp: end, connectedTimestamp: d ? end : null, disconnectedTimestamp: end,
        source: '+6531591234', destination: `+65912${String(i % 100_000).padStart(5, '0')}`, sourceFormat: 'MSISDN', destinationFormat: 'MSISDN',
        sourceCountryCode: 'SG', destinationCountryCode: i % 5 ? 'SG' : 'US', callStatus: status, callDuration: d,
        callQuality: d ? {mos: 3 + (i % 20) / 10, packetLossRate: 0.1, jitter: 5} : null,
      }},
    },
  }
}

const body = (i: number) => JSON.stringify(bodyObject(i))

/** Bodies for the load generator: built once per shape, the session id spliced in (the sender must stay cheaper than the server). */
const shapes = Array.from({length: 64}, (_, i) => body(i).split(`"sessionId":"${bodyObject(i).payload.sessionId}"`))
const loadBody = (i: number) => {
  const [head, tail] = shapes[i % shapes.length]
  return `${head}"sessionId":"load-${i}"${tail}`
}

// ---- child roles ------------------------------------------------------------------------------

async function serve(kind: string): Promise<void> {
  if (kind === 'bare') {
    const server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, {'content-type': 'application/json'})
        res.end('{"received":true}')
      })
    })
    server.keepAliveTimeout = 65_000
    server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as import('node:net').AddressInfo).port}\n`))
    return
  }
  const {EventStore} = await import('../src/lib/sessions/store.js')
  const {startReceiver} = await import('../src/lib/webhooks/receiver.js')
  const store = await EventStore.open(process.argv[4])
  const r = await startReceiver({host: '127.0.0.1', port: 0, store})
  process.stdout.write(`${new URL(r.url).port}\n`)
}

async function stats(kind: string, file: string): Promise<void> {
  const started = process.hrtime.bigint()
  let n = 0
  if (kind === 'stats') {
    const {computeStats} = await import('../src/lib/sessions/query.js')
    n = (await computeStats(file, {by: 'status'})).sessions
  } else {
    // The floor: reading the file and finding its lines, nothing parsed.
    const {createReadStream} = await import('node:fs')
    for await (const chunk of createReadStream(file, {highWaterMark: 8 << 20}) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  process.stdout.write(JSON.stringify({n, ms, rssMb: process.resourceUsage().maxRSS / 1024}) + '\n')
}

// ---- the driver -------------------------------------------------------------------------------

function child(args: string[]): {proc: ReturnType<typeof spawn>; firstLine: Promise<string>} {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--no-warnings', self, ...args], {stdio: ['ignore', 'pipe', 'inherit']})
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = ''
    proc.stdout!.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(out.split('\n')[0])
    })
    proc.on('exit', (code) => reject(new Error(`child ${args.join(' ')} exited ${code}`)))
  })
  return {proc, firstLine}
}

/** `concurrency` senders, each summary with its own session id (from `offset` on). */
const load = (port: number, concurrency: number, offset: number, rate?: number): Promise<LoadResult> =>
  httpLoad({port, path: '/vss', concurrency, warmupMs: WARMUP_MS, measureMs: (SECONDS * 1000) / 2, rate, body: (n) => loadBody(offset + n)})

async function driver(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-bench-receiver-'))
  try {
    let offset = 1
    for (const concurrency of [50, 200]) {
      const results: Record<string, LoadResult> = {}
      const servers: Record<string, {port: number; proc: ReturnType<typeof spawn>}> = {}
      for (const kind of ['bare', 'receiver']) {
        const c = child(['--serve', kind, path.join(dir, `store-${concurrency}.ndjson`)])
        servers[kind] = {port: Number(await c.firstLine), proc: c.proc}
      }
      // Warmed up first (a receiver runs for hours; its first second of compiling is not its speed), then at
      // the target rate: the acknowledgement time a platform sending 2,000 summaries a second would see.
      for (const kind of ['bare', 'receiver']) await load(servers[kind].port, concurrency, offset++ * 1_000_000)
      const paced: Record<string, LoadResult> = {}
      for (const kind of ['bare', 'receiver']) paced[kind] = await load(servers[kind].port, concurrency, offset++ * 1_000_000, TARGET_RATE)
      // Alternating rounds, best of each: this machine may be shared, and a burst of someone else's load should not decide.
      for (let round = 0; round < 2; round++) {
        for (const kind of ['bare', 'receiver']) {
          const r = await load(servers[kind].port, concurrency, offset++ * 1_000_000)
          if (!results[kind] || r.rate > results[kind].rate) results[kind] = r
        }
      }
      for (const s of Object.values(servers)) s.proc.kill('SIGTERM')
      const r = results.receiver
      const b = results.bare
      const f = (n: number) => Math.round(n).toLocaleString('en-US')
      const ms = (n: number) => `${n.toFixed(1)} ms`
      const errors = [r, b, paced.receiver, paced.bare].reduce((sum, x) => sum + x.errors, 0)
      console.log(`  receiver, ${concurrency} senders as fast as answered: ${f(r.rate)} VSS/s durably stored, p50 ${ms(r.p50)}, p99 ack ${ms(r.p99)} (bare node:http ${f(b.rate)} req/s, p99 ${ms(b.p99)}; ratio ${(r.rate / b.rate).toFixed(2)}); target >= 2,000/s`)
      console.log(`  receiver, ${f(TARGET_RATE)}/s offered by ${concurrency} senders: ${f(paced.receiver.rate)} VSS/s stored, p50 ${ms(paced.receiver.p50)}, p99 ack ${ms(paced.receiver.p99)} (bare node:http p99 ${ms(paced.bare.p99)}); target p99 < 20 ms at >= 2,000/s`)
      if (errors > 0) console.log(`  non-200 answers or failed connections: ${errors}`)
    }

    // 1,000,000 summaries, as the store writes them: 1,000 lines made by the store's own code, then
    // repeated with fresh session ids spliced in (making each line from scratch would dominate the run).
    const file = path.join(dir, 'million.ndjson')
    const out = createWriteStream(file)
    const genStart = Date.now()
    const {storeLine} = await import('../src/lib/sessions/store.js')
    const {makeStoredEvent} = await import('../src/lib/sessions/stored-event.js')
    const {parseWebhook} = await import('../src/lib/webhooks/parse.js')
    const ID = 'ID-PLACEHOLDER'
    const templates = Array.from({length: 1000}, (_, i) => {
      const b = bodyObject(i)
      b.payload.sessionId = ID
      const text = JSON.stringify(b)
      const ev = makeStoredEvent(parseWebhook(b), {bodyText: text, receivedAt: new Date(Date.UTC(2026, 10, 1)), path: '/vss'})
      return storeLine(ev, Buffer.from(text)).toString('utf8').split(ID) // the line exactly as EventStore.append writes it
    })
    let chunk = ''
    for (let i = 0; i < SUMMARIES; i++) {
      chunk += templates[i % templates.length].join(`bench-${i}`)
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
        chunk = ''
      }
    }
    out.end(chunk)
    await new Promise<void>((r) => out.once('finish', () => r()))
    const genSec = (Date.now() - genStart) / 1000
    const size = (await fs.stat(file)).size
    const run = async (kind: string) => JSON.parse(await child([`--${kind}`, file]).firstLine) as {n: number; ms: number; rssMb: number}
    const base = await run('parse')
    const s = await run('stats')
    if (s.n !== SUMMARIES || base.n !== SUMMARIES) throw new Error(`counted ${s.n} and ${base.n} of ${SUMMARIES}`)
    console.log(`  sessions stats: ${s.n.toLocaleString('en-US')} summaries (${Math.round(size / 1e6)} MB, written in ${genSec.toFixed(1)} s) in ${(s.ms / 1000).toFixed(2)} s, peak RSS ${Math.round(s.rssMb)} MB (reading the file and counting its lines ${(base.ms / 1000).toFixed(2)} s, ${Math.round(base.rssMb)} MB; ratio ${(s.ms / base.ms).toFixed(1)}); target < 5 s, < 200 MB`)
  } finally {
    await fs.rm(dir, {recursive: true, force: true})
  }
}

const role = process.argv[2]
if (role === '--serve') await serve(process.argv[3])
else if (role === '--stats') await stats('stats', process.argv[3])
else if (role === '--parse') await stats('parse', process.argv[3])
else await driver()
