/**
 * The local webhook receiver behind `ivr sessions tail`: a node:http server that stores every
 * webhook durably before answering 200, refuses what is not a webhook (401, 404, 405, 413, 400,
 * each answered, none fatal), and optionally relays each one to the user's own app. It never
 * prints: the command gets callbacks.
 */
import http from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'

import {sameSecret} from '../secret.js'
import {parseWebhook, type ParsedWebhook} from './parse.js'
import {makeStoredEvent, type EventStore, type StoredEvent} from '../sessions/store.js'

export const MAX_BODY_BYTES = 1024 * 1024

export interface ForwardResult {
  url: string
  method: string
  /** The app's HTTP status, when it answered. */
  status?: number
  ms: number
  /** Why it did not answer (refused, timed out...). */
  error?: string
  /** The app's body (text), when it answered. */
  body?: string
  contentType?: string
}

export interface Rejection {
  status: number
  method: string
  path: string
  reason: string
}

export interface ReceiverOptions {
  host: string
  port: number
  store: EventStore
  /** When set, only this path is accepted (others get 404); otherwise any path. */
  path?: string
  /** The exact Authorization value the platform sends (the webhook's httpAuthHeader). */
  authHeader?: string
  forwardTo?: string
  forwardTimeoutMs?: number
  maxBodyBytes?: number
  onEvent?: (ev: StoredEvent, info: {duplicate: boolean; parsed: ParsedWebhook}) => void
  onForward?: (result: ForwardResult, ev: StoredEvent) => void
  onRejected?: (r: Rejection) => void
  /** The store could not take an event (answered 500 so the platform retries). */
  onStoreError?: (error: unknown) => void
}

export interface Receiver {
  url: string
  server: http.Server
  /** Requests being handled right now. */
  readonly inFlight: number
  /** Stops accepting, finishes the requests under way, then flushes the store. */
  close(): Promise<void>
}


/** Headers worth relaying to the user's app: the body's type, the platform's auth header, and x-*. */
function relayHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    if (k === 'content-type' || k === 'authorization' || k === 'user-agent' || k.startsWith('x-')) out[k] = Array.isArray(v) ? v.join(', ') : v
  }
  out['content-type'] ??= 'application/json'
  return out
}

/** POSTs a body to a URL and reports the answer, without ever throwing. */
export function relay(url: string, body: Buffer | string, headers: Record<string, string>, timeoutMs = 10_000): Promise<ForwardResult> {
  const started = process.hrtime.bigint()
  const ms = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6)
  return new Promise((resolve) => {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      resolve({url, method: 'POST', ms: 0, error: 'not a URL'})
      return
    }
    const lib = target.protocol === 'https:' ? https : http
    const data = typeof body === 'string' ? Buffer.from(body) : body
    const req = lib.request(target, {method: 'POST', headers: {...headers, 'content-length': String(data.length)}, timeout: timeoutMs}, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size <= MAX_BODY_BYTES) chunks.push(c)
      })
      res.on('end', () => resolve({url, method: 'POST', status: res.statusCode, ms: ms(), body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type']}))
      res.on('error', (e) => resolve({url, method: 'POST', status: res.statusCode, ms: ms(), error: e.message}))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({url, method: 'POST', ms: ms(), error: e.code === 'ECONNREFUSED' ? 'connection refused (is the app running?)' : e.message}))
    req.end(data)
  })
}

/**
 * A request's body, read with plain 'data' events (an async iterator costs a promise per chunk, and
 * this runs thousands of times a second). Resolves undefined when the sender went away mid-body.
 */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | 'too big' | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) {
        chunks.push(chunk)
        return
      }
      req.off('data', onData)
      resolve('too big')
    }
    req.on('data', onData)
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)))
    req.once('error', () => resolve(undefined))
    req.once('close', () => resolve(undefined)) // after 'end' this changes nothing
  })
}

const JSON_TYPE = {'content-type': 'application/json'}
const RECEIVED = JSON.stringify({received: true, duplicate: false})
const RECEIVED_AGAIN = JSON.stringify({received: true, duplicate: true})

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const maxBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES
  // Requests under way, and who waits for there to be none (close()).
  let active = 0
  const idle: Array<() => void> = []
  let closing = false

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET'
    const pathname = (req.url ?? '/').split('?')[0]
    const answer = (status: number, body: unknown, reason?: string, headers?: Record<string, string>) => {
      if (reason) opts.onRejected?.({status, method, path: pathname, reason})
      if (res.headersSent) return
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      res.writeHead(status, headers || closing ? {...JSON_TYPE, ...(closing ? {connection: 'close'} : {}), ...headers} : JSON_TYPE)
      res.end(text)
    }
    // Refusals answer without reading the body; the connection is closed so no unread bytes linger.
    const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
      answer(status, {error: message}, message, {connection: 'close', ...headers})
      req.resume()
    }
    if (opts.path && pathname !== opts.path) return refuse(404, `not found (this receiver listens on ${opts.path})`)
    if (method === 'GET' || method === 'HEAD') return answer(200, {receiver: 'ivr sessions tail', ok: true})
    if (method !== 'POST') return refuse(405, 'only POST is accepted', {allow: 'POST, GET'})
    if (opts.authHeader !== undefined && !sameSecret(req.headers.authorization, opts.authHeader)) {
      return refuse(401, req.headers.authorization ? 'wrong Authorization header' : 'missing Authorization header')
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) return refuse(413, `body over ${maxBytes} bytes`)

    const bodyBuf = await readBody(req, maxBytes)
    if (bodyBuf === undefined) return // the sender went away mid-body: nothing was acknowledged
    if (bodyBuf === 'too big') return refuse(413, `body over ${maxBytes} bytes`)
    const bodyText = bodyBuf.toString('utf8')
    let body: unknown
    try {
      body = JSON.parse(bodyText)
    } catch {
      return answer(400, {error: 'body is not JSON'}, 'body is not JSON')
    }
    if (typeof body !== 'object' || body === null) return answer(400, {error: 'body is not a JSON object'}, 'body is not a JSON object')

    const parsed = parseWebhook(body)
    const ev = makeStoredEvent(parsed, {bodyText, path: pathname})
    let duplicate: boolean
    try {
      duplicate = !(await opts.store.append(ev, bodyBuf)).stored
    } catch (error) {
      opts.onStoreError?.(error)
      return answer(500, {error: 'could not store the event; send it again'})
    }
    opts.onEvent?.(ev, {duplicate, parsed})

    // A repeated VCA is relayed again: the platform is still waiting for its answer (the next callflow).
    if (opts.forwardTo && (!duplicate || parsed.kind === 'vca')) {
      const target = opts.forwardTo.replace(/\/+$/, '') + (new URL(opts.forwardTo).pathname === '/' ? pathname : '')
      const result = await relay(target, bodyBuf, relayHeaders(req.headers), opts.forwardTimeoutMs)
      opts.onForward?.(result, ev)
      // The app's answer is passed back (a VCA's answer is the next callflow); the event is stored either way.
      if (result.status !== undefined && result.status >= 200 && result.status < 300 && result.body) {
        return answer(200, result.body, undefined, {'content-type': result.contentType ?? 'application/json'})
      }
    }
    answer(200, duplicate ? RECEIVED_AGAIN : RECEIVED)
  }

  const settled = () => {
    if (--active === 0 && idle.length > 0) for (const wake of idle.splice(0)) wake()
  }
  const server = http.createServer((req, res) => {
    active++
    handle(req, res).then(settled, () => {
      if (!res.headersSent) {
        res.writeHead(500)
        res.end()
      }
      settled()
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const url = `http://${host}:${addr.port}${opts.path ?? ''}`

  let closed: Promise<void> | undefined
  return {
    url,
    server,
    get inFlight() {
      return active
    },
    close() {
      closed ??= (async () => {
        closing = true
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        if (active > 0) await new Promise<void>((resolve) => idle.push(resolve))
        server.closeAllConnections()
        await stopped
        await opts.store.flush()
      })()
      return closed
    },
  }
}
