/**
 * The menu server behind `ivr serve` and `send-callflow --menu`: answers VCA webhooks from a menu.
 * It never answers 500 to the platform: a body it cannot read, an unknown clientActionId or a bug
 * of ours gets the menu's spoken apology and a hang-up (200), and an `onAnswer` report with the
 * problem for a warning. Requests that are not the platform's (wrong path, method or
 * Authorization, too big) are refused through the HTTP kit; GET answers a health check.
 *
 * The answer path, for whoever needs to follow it: answerBody() turns a body into the answer,
 * `record` keeps it (decision recording) before it is sent, then onAnswer reports it (printing).
 */
import type http from 'node:http'

import {gate, pathOf, readBody, refuse, startHttpServer, MAX_BODY_BYTES, type Refusal, type Router, type ServerLimits} from '../http/server.js'
import {readCallEvent, type ReadCallEvent} from '../webhooks/parse.js'
import {answerCall, apologyResolution, startNode, type MenuAnswer} from './answer.js'
import type {Menu} from './model.js'

export interface AnswerReport {
  at: Date
  sessionId?: string
  /** The request as read (undefined when the body was not JSON). */
  event?: ReadCallEvent
  /** The node the caller was in (clientActionId), if known. */
  from?: string
  /** Digits of a choice, `invalid`, `no input`, `call received`. */
  taken: string
  answer: MenuAnswer
  ms: number
}

/** A request the menu server refused (the kit's one refusal type). */
export type RefusedReport = Refusal

export interface MenuServerOptions extends ServerLimits {
  menu: Menu
  host?: string
  port?: number
  /** Only this path answers (others 404); default any path. */
  path?: string
  /** Serve `path` on this shared listener instead of listening on host:port (one public URL for several servers). */
  router?: Router
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

/** answerBody, with a bug of ours turned into the apology rather than a 500. */
function safeAnswer(menu: Menu, text: string, firstNode: string | undefined): {event?: ReadCallEvent; answer: MenuAnswer} {
  try {
    return answerBody(menu, text, firstNode)
  } catch (error) {
    const problem = `internal error: ${(error as Error).message}`
    const resolution = apologyResolution(menu, problem)
    return {answer: {response: {callflow: resolution.actions}, taken: '', resolution, problem}}
  }
}

export async function startMenuServer(opts: MenuServerOptions): Promise<MenuServer> {
  let menu = opts.menu
  let first = startNode(menu)
  const rules = {path: opts.path, pathHint: "the menu answers", methods: ['POST', 'GET', 'HEAD'], openMethods: ['GET', 'HEAD'], authHeader: opts.authHeader}

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint()
    const refused = (r: RefusedReport & {headers?: Record<string, string>}) => {
      opts.onRefused?.({status: r.status, method: r.method, path: r.path, reason: r.reason})
      refuse(req, res, r)
    }
    const stop = gate(req, rules)
    if (stop) return refused(stop)
    if (req.method !== 'POST') {
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({server: 'ivr serve', ok: true}))
      return
    }
    const body = await readBody(req)
    if (body === undefined) return // the platform went away mid-body
    if (body === 'too big') return refused({status: 413, method: 'POST', path: pathOf(req), reason: `body over ${MAX_BODY_BYTES} bytes`})
    const current = menu
    const result = safeAnswer(current, body.toString('utf8'), first)
    const at = new Date()
    opts.record?.(current, at, result.event, result.answer)
    const payload = JSON.stringify(result.answer.response)
    res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(payload)}).end(payload)
    opts.onAnswer?.({
      at, sessionId: result.event?.sessionId, event: result.event, from: result.answer.from, taken: result.answer.taken, answer: result.answer,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
    })
  }

  const server = opts.router ? opts.router.mount(opts.path ?? '/', handle) : await startHttpServer({...opts, host: opts.host ?? '127.0.0.1', port: opts.port ?? 8788, handle})
  return {
    url: `${server.url}${opts.path ?? '/'}`,
    port: server.port,
    get menu() {
      return menu
    },
    setMenu(next: Menu) {
      menu = next
      first = startNode(next)
    },
    close: () => server.close(2000),
  }
}
