/**
 * The sandbox's HTTP server: the 14 operations of the 8x8 Voice API under the same paths, bodies
 * and status codes, plus sandbox-only control endpoints under /sandbox/ (docs/sandbox.md).
 * This file starts it: auth, routing and replies; the routes are api-routes.ts (the API's table)
 * and control-routes.ts (/sandbox/), their shared replies reply.ts, the --state file state-file.ts.
 */
import {randomUUID} from 'node:crypto'
import http from 'node:http'

import {reachableUrl} from '../http/address.js'
import {startHttpServer, type ServerLimits} from '../http/server.js'
import {sameSecret} from '../secret.js'
import {apiRoutes} from './api-routes.js'
import type {SandboxContext} from './context.js'
import {controlRoutes, demoVcaAnswer} from './control-routes.js'
import {CallEngine, isSandboxError, type Deliver, type Timeline} from './engine.js'
import {errorBody, HttpError, MAX_WAIT_MS, parseJson, readBody, type Reply} from './reply.js'
import {loadState, saveState} from './state-file.js'
import type {Population} from './population.js'
import {DEFAULT_API_KEY, DEFAULT_NUMBERS, DEFAULT_SUBACCOUNT, SandboxState} from './state.js'

export interface SandboxOptions {
  host?: string
  port?: number
  /** Timeouts and the connection cap (http/server.ts DEFAULT_LIMITS). */
  limits?: ServerLimits
  apiKey?: string
  stateFile?: string
  realtime?: boolean
  numbers?: string[]
  enforceSourceNumbers?: boolean
  duplicates?: boolean
  now?: () => Date
  /** Engine tuning (tests): where webhooks go, the VCA timeout, retry waits, kept sessions. */
  deliver?: Deliver
  vcaTimeoutMs?: number
  retryDelaysMs?: number[]
  maxSessions?: number
  /** Every sub-account starts with the built-in demo responder as its VCA webhook (a newcomer's first IVR needs nothing else). */
  demoVca?: boolean
  /** Called when a session has ended (after its VSS). */
  onSessionEnd?: (t: Timeline) => void
  /** How destinations without a script or a magic number behave: outcome and presses drawn per number from the seed. */
  population?: Population
  /** Send Callflow requests accepted per second; more are answered 429 with Retry-After. */
  cps?: number
  /** Calls live at once; a Send Callflow over it ends with ERROR -2010 (trunk capacity). */
  maxCalls?: number
}

export interface RunningSandbox {
  baseUrl: string
  apiKey: string
  subAccountId: string
  engine: CallEngine
  /** The API operations it serves, as `METHOD /path` under the sub-account prefix (the route table's keys). */
  operations: string[]
  close(): Promise<void>
}

/** Starts the sandbox; resolves once it listens. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const now = opts.now ?? (() => new Date())
  const apiKey = opts.apiKey ?? DEFAULT_API_KEY
  const state = new SandboxState(opts.numbers && opts.numbers.length > 0 ? opts.numbers : DEFAULT_NUMBERS, now)
  let saveTimer: NodeJS.Timeout | undefined
  let saving: Promise<void> = Promise.resolve()
  const engine: CallEngine = new CallEngine({
    state, now, deliver: opts.deliver, realtime: opts.realtime, enforceSourceNumbers: opts.enforceSourceNumbers,
    duplicates: opts.duplicates, vcaTimeoutMs: opts.vcaTimeoutMs, retryDelaysMs: opts.retryDelaysMs, maxSessions: opts.maxSessions,
    population: opts.population, cps: opts.cps, maxCalls: opts.maxCalls,
    onSessionEnd: (t) => {
      scheduleSave()
      opts.onSessionEnd?.(t)
    },
  })

  if (opts.stateFile) await loadState(opts.stateFile, state, engine)

  function scheduleSave(): void {
    if (!opts.stateFile || saveTimer) return
    saveTimer = setTimeout(() => {
      saveTimer = undefined
      saving = saving.then(() => saveState(opts.stateFile!, state, engine)).catch(() => {})
    }, 100)
  }

  let baseUrl = ''

  async function route(req: http.IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const method = req.method ?? 'GET'
    const parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p))

    // -- open sandbox endpoints --
    if (parts[0] === 'sandbox') {
      if (parts[1] === 'health' && parts.length === 2) return {status: 200, body: {status: 'ok', subAccountId: DEFAULT_SUBACCOUNT, runningSessions: engine.runningCount}}
      if (parts[1] === 'demo-vca' && parts.length === 2 && method === 'POST') return {status: 200, body: demoVcaAnswer(parseJson(await readBody(req)))}
      if (parts[1] === 'exports' && parts.length === 4 && method === 'GET') return downloadExport(parts[2], parts[3])
    }

    // -- everything else needs the key --
    const auth = req.headers.authorization ?? ''
    const m = /^Bearer\s+(.+)$/i.exec(auth)
    if (!m || !sameSecret(m[1].trim(), apiKey)) {
      const isCallflow = method === 'POST' && /\/callflows\/?$/.test(url.pathname)
      return {status: 401, body: isCallflow
        ? {sessionStatus: 'NOT_CREATED', callFlowRequestId: randomUUID(), statusCode: 401, statusMessage: 'Unauthorized: missing or invalid API key'}
        : errorBody('401', 'Unauthorized: missing or invalid API key')}
    }

    if (parts[0] === 'sandbox' && parts[1] === 'subaccounts' && parts.length >= 4) return control(req, method, url, parts[2], parts.slice(3))
    if (parts[0] === 'api' && parts[1] === 'v1' && parts[2] === 'subaccounts' && parts.length >= 5) return api(req, method, parts[3], parts.slice(4))
    return {status: 404, body: errorBody('1404', `No such path: ${method} ${url.pathname}`)}
  }

  const ctx: SandboxContext = {engine, state, now, scheduleSave, baseUrl: () => baseUrl}
  const {routes: API_ROUTES, api} = apiRoutes(ctx)
  const {control, downloadExport} = controlRoutes(ctx)

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => route(req).catch((error: unknown) => {
      if (error instanceof HttpError) return error.reply
      if (isSandboxError(error)) return {status: error.httpStatus, body: errorBody(String(error.httpStatus), error.message)}
      return {status: 500, body: errorBody('-9999', `Sandbox error: ${(error as Error).message}`)}
    }).then((reply) => {
      const headers: Record<string, string> = {...reply.headers}
      if (reply.status === 204 || (reply.body === undefined && reply.text === undefined)) {
        res.writeHead(reply.status, headers).end()
        return
      }
      const text = reply.text ?? JSON.stringify(reply.body)
      headers['content-type'] ??= 'application/json'
      res.writeHead(reply.status, headers).end(text)
    })

  // Long polls wait up to MAX_WAIT_MS without traffic: the socket timeout must outlast them.
  const server = await startHttpServer({socketTimeoutMs: MAX_WAIT_MS + 5000, ...opts.limits, host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, handle})
  baseUrl = reachableUrl(server.url)
  if (opts.demoVca) state.demoVcaUrl = `${baseUrl}/sandbox/demo-vca`

  let closed = false
  return {
    baseUrl,
    apiKey,
    subAccountId: DEFAULT_SUBACCOUNT,
    engine,
    operations: Object.keys(API_ROUTES),
    async close() {
      if (closed) return
      closed = true
      // Requests under way (long polls included) get a moment, not their whole wait.
      await server.close(200)
      if (saveTimer) {
        clearTimeout(saveTimer)
        saveTimer = undefined
      }
      await saving
      if (opts.stateFile) await saveState(opts.stateFile, state, engine)
    },
  }
}
