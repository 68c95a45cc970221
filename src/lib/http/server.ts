/**
 * The one HTTP server kit of the tool: the receiver (`sessions tail`), the menu server (`serve`,
 * `send-callflow --menu`) and the sandbox all listen through it, so they share:
 *   - listening (a listen failure is the caller's to name, see errors.listenError),
 *   - limits that shed slow and hostile clients: headers, whole-request and idle timeouts, and a
 *     cap on open connections,
 *   - the gate every webhook request passes (path, method, Authorization, declared size), one
 *     refusal type and one way to answer it (JSON `{error}`, connection closed, body unread),
 *   - a bounded body reader (1 MiB), and a JSON reader that refuses deep nesting,
 *   - a graceful close: stop accepting, finish the requests under way, then drop the rest.
 */
import http from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

import {sameSecret} from '../secret.js'
import {urlOf} from './address.js'
import {jsonDepth, MAX_JSON_DEPTH} from '../json-depth.js'

/** The largest body any of the tool's servers reads. */
export const MAX_BODY_BYTES = 1024 * 1024

export interface ServerLimits {
  /** A client must have sent its request's headers within this (slow headers are cut off). */
  headersTimeoutMs?: number
  /** ... and its whole request, body included. */
  requestTimeoutMs?: number
  /** An idle keep-alive connection is closed after this. */
  idleTimeoutMs?: number
  /** A connection that neither sends nor reads for this long is closed (e.g. a client that stops reading). */
  socketTimeoutMs?: number
  /** Connections beyond this many open at once are dropped as they arrive. */
  maxConnections?: number
}

export const DEFAULT_LIMITS: Required<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Longer than the idle timeout of the load balancers webhooks come through, so a reused
  // connection is not closed by us just as the platform sends on it.
  idleTimeoutMs: 65_000,
  socketTimeoutMs: 60_000,
  maxConnections: 1024,
}

export interface HttpServerOptions extends ServerLimits {
  host: string
  port: number
  /** Handles one request; a rejection is answered 500. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): unknown
}

export interface HttpServer {
  /** http://host:port (no path). */
  url: string
  port: number
  server: http.Server
  /** Requests being handled right now. */
  readonly inFlight: number
  /** Set once close() has begun: answers then carry `connection: close`. */
  readonly closing: boolean
  /** Stops accepting, finishes the requests under way (at most graceMs), then drops every connection. */
  close(graceMs?: number): Promise<void>
}

/** Counts the requests under way, so a close can let them finish (at most graceMs) before it drops them. */
class InFlight {
  active = 0
  closing = false
  private readonly idle: Array<() => void> = []

  enter(): void {
    this.active++
  }

  leave(): void {
    if (--this.active === 0) for (const wake of this.idle.splice(0)) wake()
  }

  /** Marks the server closing and resolves once nothing is under way, or after graceMs. */
  async drain(graceMs: number): Promise<void> {
    this.closing = true
    if (this.active === 0) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))])
    clearTimeout(timer)
  }
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const limits = {...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => k in DEFAULT_LIMITS && v !== undefined))} as Required<ServerLimits>
  const flight = new InFlight()
  const settled = () => flight.leave()
  const server = http.createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2))),
  }, (req, res) => {
    flight.enter()
    if (flight.closing) res.setHeader('connection', 'close')
    Promise.resolve().then(() => opts.handle(req, res)).then(settled, () => {
      if (!res.headersSent) res.writeHead(500, {connection: 'close'}).end()
      settled()
    })
  })
  server.maxConnections = limits.maxConnections
  server.setTimeout(limits.socketTimeoutMs, (socket: Socket) => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    url: urlOf(addr),
    port: addr.port,
    server,
    get inFlight() {
      return flight.active
    },
    get closing() {
      return flight.closing
    },
    close(graceMs = 10_000) {
      closed ??= (async () => {
        flight.closing = true
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        await flight.drain(graceMs)
        server.closeAllConnections()
        await stopped
      })()
      return closed
    },
  }
}

// ---- the gate and refusals ------------------------------------------------------------------

/** A request a server refused, as reported to its owner (printed by the command). */
export interface Refusal {
  status: number
  method: string
  path: string
  reason: string
}

export interface GateRules {
  /** Only this path is served (others 404); default any path. */
  path?: string
  /** Say what listens here, for the 404 reason ("this receiver listens on /vss"). */
  pathHint?: string
  /** Methods answered (others 405). */
  methods: readonly string[]
  /** The exact Authorization value required (401 otherwise). */
  authHeader?: string
  /** Methods that need no Authorization (a health check: GET, HEAD). */
  openMethods?: readonly string[]
  maxBodyBytes?: number
}

/** The path of a request, without its query. */
export const pathOf = (req: http.IncomingMessage) => (req.url ?? '/').split('?')[0]

/**
 * Checks a request against the rules, in the order a client can fix them: path, method,
 * Authorization, declared size. Undefined when it may proceed.
 */
export function gate(req: http.IncomingMessage, rules: GateRules): (Refusal & {headers?: Record<string, string>}) | undefined {
  const method = req.method ?? 'GET'
  const path = pathOf(req)
  const refusal = (status: number, reason: string, headers?: Record<string, string>) => ({status, method, path, reason, headers})
  if (rules.path !== undefined && path !== rules.path) return refusal(404, `not found (${rules.pathHint ?? 'this server answers'} on ${rules.path})`)
  if (!rules.methods.includes(method)) return refusal(405, `only ${rules.methods.filter((m) => m !== 'HEAD').join(' and ')} ${rules.methods.length > 1 ? 'are' : 'is'} accepted`, {allow: rules.methods.join(', ')})
  if (rules.openMethods?.includes(method)) return undefined
  if (rules.authHeader !== undefined && !sameSecret(req.headers.authorization, rules.authHeader)) {
    return refusal(401, req.headers.authorization ? 'wrong Authorization header' : 'missing Authorization header')
  }
  const max = rules.maxBodyBytes ?? MAX_BODY_BYTES
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) return refusal(413, `body over ${max} bytes`)
  return undefined
}

/**
 * Answers a refusal: `{"error": reason}` and the connection closed, so the unread body (and a
 * client that asked for `Connection: close`) never keeps the socket.
 */
export function refuse(req: http.IncomingMessage, res: http.ServerResponse, r: {status: number; reason: string; headers?: Record<string, string>}): void {
  if (!res.headersSent) res.writeHead(r.status, {'content-type': 'application/json', ...r.headers, connection: 'close'}).end(JSON.stringify({error: r.reason}))
  req.resume()
}

// ---- bodies ---------------------------------------------------------------------------------

/**
 * A request's body, at most maxBytes: 'too big' past that, undefined when the sender went away
 * mid-body. Read with plain 'data' events (an async iterator costs a promise per chunk, and this
 * runs thousands of times a second).
 */
export function readBody(req: http.IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer | 'too big' | undefined> {
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

export type JsonObjectResult = {ok: true; value: Record<string, unknown>} | {ok: false; reason: string}

/** A webhook body: JSON, an object (not an array or a scalar), nested at most MAX_JSON_DEPTH deep. */
export function parseJsonObject(body: Buffer | string, maxDepth = MAX_JSON_DEPTH): JsonObjectResult {
  if (jsonDepth(body, maxDepth) > maxDepth) return {ok: false, reason: `body is nested deeper than ${maxDepth} levels`}
  let value: unknown
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'))
  } catch {
    return {ok: false, reason: 'body is not JSON'}
  }
  if (typeof value !== 'object' || value === null) return {ok: false, reason: 'body is not a JSON object'}
  if (Array.isArray(value)) return {ok: false, reason: 'body is a JSON array; a webhook is an object'}
  return {ok: true, value: value as Record<string, unknown>}
}

// ---- several servers on one port ------------------------------------------------------------

/** One listener that hands each request to the handler mounted on its exact path (others 404). */
export interface Router {
  /** http://host:port (no path). */
  url: string
  port: number
  server: http.Server
  /**
   * Serves `path` with `handle` until the returned server is closed: closing it finishes that
   * path's requests under way (at most graceMs), then answers the path 404.
   */
  mount(path: string, handle: HttpServerOptions['handle']): HttpServer
  close(graceMs?: number): Promise<void>
}

export async function startRouter(opts: ServerLimits & {host: string; port: number}): Promise<Router> {
  const routes = new Map<string, HttpServerOptions['handle']>()
  const base = await startHttpServer({
    ...opts,
    handle(req, res) {
      const route = routes.get(pathOf(req))
      if (route) return route(req, res)
      const paths = [...routes.keys()]
      refuse(req, res, {status: 404, reason: `not found (this server answers on ${paths.length > 0 ? paths.join(' and ') : 'no path any more'})`})
    },
  })
  return {
    url: base.url,
    port: base.port,
    server: base.server,
    mount(path, handle) {
      if (routes.has(path)) throw new Error(`${path} is already served`)
      const flight = new InFlight()
      routes.set(path, async (req, res) => {
        flight.enter()
        if (flight.closing) res.setHeader('connection', 'close')
        try {
          await handle(req, res)
        } finally {
          flight.leave()
        }
      })
      let closed: Promise<void> | undefined
      return {
        url: base.url,
        port: base.port,
        server: base.server,
        get inFlight() {
          return flight.active
        },
        get closing() {
          return flight.closing
        },
        close(graceMs = 10_000) {
          closed ??= (async () => {
            await flight.drain(graceMs)
            routes.delete(path)
          })()
          return closed
        },
      }
    },
    close: (graceMs) => base.close(graceMs),
  }
}
