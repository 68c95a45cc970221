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

const self = fileURLToPath(import.meta.url)
const SECONDS = Number(process.env.BENCH_RECEIVER_SECONDS || 2.5)
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
    server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as any).port}\n`))
    return
  }
  const {EventStore} = await import('../src/lib/webhooks/store.js')
  const {startReceiver} = await import('../src/lib/webhooks/receiver.js')
  const store = await EventStore.open(process.argv[4])
  const r = await startReceiver({host: '127.0.0.1', port: 0, store})
  process.stdout.write(`${new URL(r.url).port}\n`)
}

async function stats(kind: string, file: string): Promise<void> {
  const started = process.hrtime.bigint()
  let n = 0
  if (kind === 'stats') {
    const {computeStats} = await import('../src/lib/webhooks/query.js')
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

/**
 * `concurrency` senders as fast as they go; with `rate`, summaries are offered on a fixed schedule
 * (at most `concurrency` in flight) and each latency counts from its scheduled moment.
 */
async function load(port: number, concurrency: number, seconds: number, offset: number, rate?: number): Promise<{perSec: number; p99: number}> {
  const agent = new http.Agent({keepAlive: true, maxSockets: concurrency})
  const latencies: number[] = []
  const until = Date.now() + seconds * 1000
  const t0 = process.hrtime.bigint()
  let slot = 0
  let i = offset
  const worker = async () => {
    while (Date.now() < until) {
      const data = Buffer.from(loadBody(i++))
      let t = process.hrtime.bigint()
      if (rate) {
        const due = t0 + BigInt(Math.round((slot++ * 1e9) / rate))
        const wait = Number(due - t) / 1e6
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        if (Date.now() >= until) break
        const now = process.hrtime.bigint()
        t = due < now ? due : now
      }
      await new Promise<void>((resolve, reject) => {
        const req = http.request({host: '127.0.0.1', port, path: '/vss', method: 'POST', agent, headers: {'content-type': 'application/json', 'content-length': data.length}}, (res) => {
          res.resume()
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))))
        })
        req.on('error', reject)
        req.end(data)
      })
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
  }
  const started = Date.now()
  await Promise.all(Array.from({length: concurrency}, worker))
  const elapsed = (Date.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {perSec: latencies.length / elapsed, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0}
}

async function driver(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-bench-receiver-'))
  try {
    let offset = 1
    for (const concurrency of [50, 200]) {
      const results: Record<string, {perSec: number; p99: number}> = {}
      const servers: Record<string, {port: number; proc: ReturnType<typeof spawn>}> = {}
      for (const kind of ['bare', 'receiver']) {
        const c = child(['--serve', kind, path.join(dir, `store-${concurrency}.ndjson`)])
        servers[kind] = {port: Number(await c.firstLine), proc: c.proc}
        await load(servers[kind].port, concurrency, 0.5, 10_000_000 + offset++ * 100_000) // warm-up
      }
      // At the target rate first, before the saturated rounds leave the disk busy writing back their burst:
      // the acknowledgement time a platform sending 2,000 summaries a second would see.
      const paced: Record<string, {perSec: number; p99: number}> = {}
      for (const kind of ['bare', 'receiver']) paced[kind] = await load(servers[kind].port, concurrency, SECONDS / 2, offset++ * 100_000, TARGET_RATE)
      // Alternating rounds, best of each: this machine may be shared, and a burst of someone else's load should not decide.
      for (let round = 0; round < 2; round++) {
        for (const kind of ['bare', 'receiver']) {
          const r = await load(servers[kind].port, concurrency, SECONDS / 2, offset++ * 100_000)
          if (!results[kind] || r.perSec > results[kind].perSec) results[kind] = r
        }
      }
      for (const s of Object.values(servers)) s.proc.kill('SIGTERM')
      const r = results.receiver
      const b = results.bare
      console.log(`  receiver, saturated: ${Math.round(r.perSec)} VSS/s durably stored at ${concurrency} senders, p99 ack ${r.p99.toFixed(1)} ms (bare node:http ${Math.round(b.perSec)} req/s, p99 ${b.p99.toFixed(1)} ms; ratio ${(r.perSec / b.perSec).toFixed(2)}); target >= 2000/s`)
      console.log(`  receiver, at ${TARGET_RATE}/s offered by ${concurrency} senders: ${Math.round(paced.receiver.perSec)} VSS/s stored, p99 ack ${paced.receiver.p99.toFixed(1)} ms (bare node:http p99 ${paced.bare.p99.toFixed(1)} ms); target p99 < 20 ms`)
    }

    // 1,000,000 summaries, as the store writes them: 1,000 lines made by the store's own code, then
    // repeated with fresh session ids spliced in (making each line from scratch would dominate the run).
    const file = path.join(dir, 'million.ndjson')
    const out = createWriteStream(file)
    const genStart = Date.now()
    const {compactRow} = await import('../src/lib/webhooks/row.js')
    const ID = 'ID-PLACEHOLDER'
    const templates = Array.from({length: 1000}, (_, i) => {
      const b = bodyObject(i)
      b.payload.sessionId = ID
      const ev = {key: `SESSION_SUMMARY:${ID}`, receivedAt: '2026-11-01T00:00:00.000Z', type: 'SESSION_SUMMARY', sessionId: ID, path: '/vss', body: b}
      // The line exactly as EventStore.append writes it.
      return `${JSON.stringify({key: ev.key, receivedAt: ev.receivedAt, type: ev.type, sessionId: ID, path: ev.path, row: compactRow(ev), body: b})}\n`.split(ID)
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
