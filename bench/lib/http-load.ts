// The load generator the HTTP benchmarks share: keep-alive connections on raw sockets, one request in
// flight on each, the request bytes written directly and the answer found by its framing. It runs on
// the same two cores as the server it measures, so it is kept much cheaper than the server (node's
// own HTTP client costs about as much per request as the server does, and its queueing would be
// counted as the server's latency).
import net from 'node:net'

export interface LoadOptions {
  port: number
  path: string
  /** Extra request headers. */
  headers?: Record<string, string>
  /** Connections, each with one request in flight. */
  concurrency: number
  warmupMs: number
  measureMs: number
  /** The request body for the n-th request of this run. */
  body: (n: number) => string
  /**
   * Offered requests per second: open loop on a fixed schedule, at most `concurrency` in flight,
   * latency counted from each request's scheduled moment (a stall shows in p99 instead of hiding as
   * fewer requests sent). Without it, every connection sends again as soon as it is answered.
   */
  rate?: number
}

export interface LoadResult {
  /** Answered requests per second during the measured window. */
  rate: number
  p50: number
  p99: number
  /** Answers other than 200, and connections that failed. */
  errors: number
}

const HEAD_END = Buffer.from('\r\n\r\n')
const CRLF = Buffer.from('\r\n')

/** The length of the first whole HTTP response in buf, or -1 while more bytes are needed. */
export function responseLength(buf: Buffer): number {
  const headEnd = buf.indexOf(HEAD_END)
  if (headEnd === -1) return -1
  const head = buf.toString('latin1', 0, headEnd).toLowerCase()
  const bodyStart = headEnd + 4
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)
  if (length) {
    const end = bodyStart + Number(length[1])
    return buf.length >= end ? end : -1
  }
  if (!/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) return bodyStart
  let at = bodyStart
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, at)
    if (lineEnd === -1) return -1
    const size = Number.parseInt(buf.toString('latin1', at, lineEnd), 16)
    if (size === 0) {
      const end = buf.indexOf(HEAD_END, lineEnd) // the last chunk, then any trailers, then an empty line
      return end === -1 ? -1 : end + 4
    }
    at = lineEnd + 2 + size + 2
    if (at > buf.length) return -1
  }
}

const statusOf = (buf: Buffer) => Number(buf.toString('latin1', 9, 12))

export async function httpLoad(opts: LoadOptions): Promise<LoadResult> {
  const extra = Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  const request = (body: string) => {
    const data = Buffer.from(body)
    return Buffer.concat([Buffer.from(`POST ${opts.path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${data.length}\r\n${extra}\r\n`), data])
  }
  const latencies: number[] = []
  let errors = 0
  let measuring = false
  let stop = false
  let n = 0
  let slot = 0
  const t0 = process.hrtime.bigint()

  // One connection: send, wait for the whole answer, send again; a failed connection is counted and replaced.
  const connection = () => new Promise<void>((resolve) => {
    const socket = net.connect(opts.port, '127.0.0.1')
    socket.setNoDelay(true)
    let pending: Buffer | undefined
    let sentAt = 0n
    let awaiting = false
    let timer: NodeJS.Timeout | undefined
    const send = () => {
      if (stop) {
        socket.destroy()
        return
      }
      const data = request(opts.body(n++))
      let t = process.hrtime.bigint()
      if (opts.rate) {
        const due = t0 + BigInt(Math.round((slot++ * 1e9) / opts.rate))
        const wait = Number(due - t) / 1e6
        if (wait > 0) {
          timer = setTimeout(() => {
            timer = undefined
            if (stop) return send()
            // Timers may fire a fraction of a millisecond early: never count from a moment still ahead.
            const now = process.hrtime.bigint()
            sentAt = due < now ? due : now
            awaiting = true
            socket.write(data)
          }, wait)
          return
        }
        t = due
      }
      sentAt = t
      awaiting = true
      socket.write(data)
    }
    socket.on('data', (chunk: Buffer) => {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk
      const end = responseLength(pending)
      if (end === -1) return
      awaiting = false
      if (statusOf(pending) !== 200) errors++
      else if (measuring) latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6)
      pending = end < pending.length ? pending.subarray(end) : undefined
      send()
    })
    let failed = false
    socket.on('error', () => {
      failed = true
    })
    socket.once('close', () => {
      if (timer) clearTimeout(timer)
      if (failed || (awaiting && !stop)) errors++ // refused, reset, or closed with a request unanswered
      if (stop) resolve()
      else void connection().then(resolve)
    })
    socket.once('connect', send)
  })

  const connections = Array.from({length: opts.concurrency}, connection)
  await new Promise((r) => setTimeout(r, opts.warmupMs))
  measuring = true
  const started = process.hrtime.bigint()
  await new Promise((r) => setTimeout(r, opts.measureMs))
  measuring = false
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  stop = true
  await Promise.all(connections)
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return {rate: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors}
}
