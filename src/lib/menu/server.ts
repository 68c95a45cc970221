/**
 * The menu server behind `ivr serve`: answers VCA webhooks from a menu. It never answers 500 to the
 * platform: a body it cannot read, an unknown clientActionId or a bug of ours gets the menu's spoken
 * apology and a hang-up (200), and an `onAnswer` report with the problem for a warning.
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import {sameSecret} from '../secret.js'
import {readCallEvent, type ReadCallEvent} from '../webhooks/parse.js'
import {answerCall, apologyResolution, startNode, type MenuAnswer} from './answer.js'
import type {Menu} from './model.js'

export const MAX_BODY_BYTES = 1024 * 1024

export interface AnswerReport {
  at: Date
  sessionId?: string
  /** The node the caller was in (clientActionId), if known. */
  from?: string
  /** Digits of a choice, `invalid`, `no input`, `call received`. */
  taken: string
  answer: MenuAnswer
  ms: number
}

export interface RefusedReport {
  status: number
  method: string
  path: string
  reason: string
}

export interface MenuServerOptions {
  menu: Menu
  host?: string
  port?: number
  /** Only this path answers (others 404); default any path. */
  path?: string
  /** The exact Authorization value the platform sends (the VCA webhook's httpAuthHeader). */
  authHeader?: string
  onAnswer?: (r: AnswerReport) => void
  onRefused?: (r: RefusedReport) => void
  /**
   * Keeps each answer (src/lib/analytics/decisions.ts). Called before the answer is sent and not
   * waited for: the caller never waits on the disk (docs/analytics.md says what a crash can lose).
   */
  record?: AnswerRecorder
}

export type AnswerRecorder = (menu: Menu, at: Date, event: ReadCallEvent | undefined, answer: MenuAnswer) => void

export interface MenuServer {
  url: string
  port: number
  /** Serves another menu from the next request on (for --watch). */
  setMenu(menu: Menu): void
  readonly menu: Menu
  close(): Promise<void>
}

/** Turns one request body into the answer; the part of the server that has no HTTP in it. */
export function answerBody(menu: Menu, text: string, firstNode = startNode(menu)): {event?: ReadCallEvent; answer: MenuAnswer} {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    const resolution = apologyResolution(menu, 'the body is not JSON')
    return {answer: {response: {callflow: resolution.actions}, taken: '', resolution, problem: 'the body is not JSON'}}
  }
  const event = readCallEvent(body)
  return {event, answer: answerCall(menu, event, firstNode)}
}

export async function startMenuServer(opts: MenuServerOptions): Promise<MenuServer> {
  let menu = opts.menu
  let first = startNode(menu)
  const sockets = new Set<import('node:net').Socket>()

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint()
    const path = (req.url ?? '/').split('?')[0]
    const refuse = (status: number, reason: string, headers: Record<string, string> = {}) => {
      opts.onRefused?.({status, method: req.method ?? '', path, reason})
      res.writeHead(status, {'content-type': 'application/json', ...headers, connection: status === 413 ? 'close' : 'keep-alive'})
      res.end(JSON.stringify({error: reason}))
      if (status === 413) req.destroy()
    }
    if (opts.path !== undefined && path !== opts.path) return refuse(404, `not the menu's path (${opts.path})`)
    if (req.method !== 'POST') return refuse(405, 'the menu answers POST only', {allow: 'POST'})
    if (opts.authHeader !== undefined && !sameSecret(req.headers.authorization, opts.authHeader)) {
      return refuse(401, req.headers.authorization ? 'wrong Authorization header' : 'missing Authorization header')
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return refuse(413, `body over ${MAX_BODY_BYTES} bytes`)
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data')
        refuse(413, `body over ${MAX_BODY_BYTES} bytes`)
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      if (size > MAX_BODY_BYTES || res.headersSent) return
      const current = menu
      let result: ReturnType<typeof answerBody>
      try {
        result = answerBody(current, Buffer.concat(chunks).toString('utf8'), first)
      } catch (error) {
        const problem = `internal error: ${(error as Error).message}`
        const resolution = apologyResolution(current, problem)
        result = {answer: {response: {callflow: resolution.actions}, taken: '', resolution, problem}}
      }
      const at = new Date()
      const send = () => {
        const payload = JSON.stringify(result.answer.response)
        res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(payload)})
        res.end(payload)
        if (opts.onAnswer) {
          const ms = Number(process.hrtime.bigint() - started) / 1e6
          opts.onAnswer({at, sessionId: result.event?.sessionId, from: result.answer.from, taken: result.answer.taken, answer: result.answer, ms})
        }
      }
      opts.record?.(current, at, result.event, result.answer)
      send()
    })
    req.on('error', () => {})
  })
  server.keepAliveTimeout = 65_000
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 8788, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `http://${host}:${addr.port}${opts.path ?? '/'}`,
    port: addr.port,
    get menu() {
      return menu
    },
    setMenu(next: Menu) {
      menu = next
      first = startNode(next)
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      // Idle keep-alive connections would hold close() open.
      server.closeIdleConnections()
      setTimeout(() => {
        for (const s of sockets) s.destroy()
      }, 2000).unref()
    }),
  }
}
