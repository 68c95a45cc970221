/**
 * The sandbox's HTTP server: the 14 operations of the 8x8 Voice API under the same paths, bodies
 * and status codes, plus sandbox-only control endpoints under /sandbox/ (docs/sandbox.md).
 */
import {randomUUID} from 'node:crypto'
import {promises as fs} from 'node:fs'
import http from 'node:http'

import {WEBHOOK_TYPES, type WebhookType} from '../api/types.js'
import {reachableUrl} from '../http/address.js'
import {readBody as readBounded, startHttpServer, type ServerLimits} from '../http/server.js'
import {sameSecret} from '../secret.js'
import {writeFileAtomic} from '../fs-atomic.js'
import {CallEngine, checkPresses, isSandboxError, parsePresses, SandboxError, type Deliver, type Timeline} from './engine.js'
import {newExportJob, parseExportDate, pollExportJob} from './exports.js'
import {isOutcome, OUTCOMES, type Outcome} from './magic.js'
import type {Population} from './population.js'
import {SPEECH_PROFILES} from './profiles.js'
import {seedSessions} from './seed.js'
import {DEFAULT_API_KEY, DEFAULT_EXPORT_BEHAVIOUR, DEFAULT_NUMBERS, DEFAULT_SUBACCOUNT, SandboxState, SUBACCOUNT_ID, type ForcedExportOutcome, type SubAccountState} from './state.js'

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

const MAX_WAIT_MS = 60_000

type Json = Record<string, unknown>
interface Reply {status: number; body?: unknown; headers?: Record<string, string>; text?: string}

class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super('http error')
  }
}

/** The error body the platform uses outside Send Callflow (its 422/404 schema). */
function errorBody(statusCode: string, statusMessage: string): Json {
  return {errorId: randomUUID(), statusCode, statusMessage, timestamp: new Date().toISOString()}
}

const fail = (status: number, code: string, message: string): never => {
  throw new HttpError({status, body: errorBody(code, message)})
}

/** The request body as text, through the server kit's bounded reader (over 1 MiB: 413). */
async function readBody(req: http.IncomingMessage): Promise<string> {
  const body = await readBounded(req)
  if (body === 'too big') throw new HttpError({status: 413, body: errorBody('1413', 'Request body too large')})
  if (body === undefined) throw new HttpError({status: 400, body: errorBody('1001', 'The request body was cut off')})
  return body.toString('utf8')
}

/** The route whose `METHOD /path/{param}` pattern matches, and the values of its parameters. */
export function matchRoute(keys: readonly string[], method: string, rest: readonly string[]): {key: string; params: string[]} | undefined {
  for (const key of keys) {
    const [m, pattern] = key.split(' ')
    if (m !== method) continue
    const parts = pattern.split('/').filter(Boolean)
    if (parts.length !== rest.length) continue
    const params: string[] = []
    if (parts.every((p, i) => (p.startsWith('{') ? (params.push(rest[i]), true) : p === rest[i]))) return {key, params}
  }
  return undefined
}

function parseJson(text: string): {ok: true; value: unknown} | {ok: false; error: string} {
  if (text.trim() === '') return {ok: true, value: undefined}
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch (error) {
    return {ok: false, error: (error as Error).message}
  }
}

function objectBody(text: string): Json {
  const parsed = parseJson(text)
  if (!parsed.ok) fail(400, '1001', `Invalid JSON request body: ${parsed.error}`)
  const v = (parsed as {value: unknown}).value ?? {}
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(400, '1001', 'Invalid JSON request body: an object is expected')
  return v as Json
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

  function checkSub(sub: string): void {
    if (!SUBACCOUNT_ID.test(sub)) fail(404, '1404', `Sub-account ${sub} not found (ids match ^[A-Za-z0-9-._&]{3,50}$)`)
  }

  /** The 14 operations of the API, keyed as in 8x8's spec (the contract test checks the keys): a new operation is one entry. */
  const API_ROUTES: Record<string, (c: {req: http.IncomingMessage; sub: string; s: SubAccountState; id: string}) => Promise<Reply>> = {
    'POST /callflows': async ({req, sub}) => {
      const text = await readBody(req)
      const parsed = text.trim() === '' ? {ok: false as const, error: 'the body is empty'} : parseJson(text)
      if (!parsed.ok) return {status: 400, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId: randomUUID(), statusCode: -1001, statusMessage: `Invalid JSON request body: ${parsed.error}`}}
      const header = req.headers['x-sandbox-outcome']
      if (typeof header === 'string' && !isOutcome(header)) {
        return {status: 400, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId: randomUUID(), statusCode: -9999, statusMessage: `X-Sandbox-Outcome "${header}" is not one of ${OUTCOMES.join(', ')}`}}
      }
      const outcome = typeof header === 'string' ? (header as Outcome) : undefined
      const res = engine.submitCallflow(sub, parsed.value, {outcome})
      return {status: res.httpStatus, body: res.body, ...(res.retryAfter ? {headers: {'retry-after': String(res.retryAfter)}} : {})}
    },
    'GET /speech-profiles': async () => {
      return {status: 200, body: {speechProfiles: SPEECH_PROFILES, statusCode: 0, statusMessage: 'ok'}}
    },
    'GET /webhooks': async ({sub, s}) => {
      const webhooks = WEBHOOK_TYPES.map((t) => s.webhooks[t]).filter(Boolean).map((w) => publicWebhook(w!))
      return {status: 200, body: {subAccountId: sub, count: webhooks.length, webhooks, statusCode: 0, statusMessage: 'ok'}}
    },
    'POST /webhooks': async ({req, sub, s}) => {
      const b = objectBody(await readBody(req))
      // The spec's types are upper case (VCA, VSS...): "vca" is refused as the platform's enum would.
      const type = typeof b.type === 'string' ? b.type : ''
      if (!(WEBHOOK_TYPES as readonly string[]).includes(type)) fail(422, '1001', `type must be one of ${WEBHOOK_TYPES.join(', ')} (upper case)${WEBHOOK_TYPES.includes(type.toUpperCase() as WebhookType) ? `: ${type.toUpperCase()}` : ''}`)
      if (typeof b.url !== 'string' || !/^https?:\/\/[^\s/]+/i.test(b.url)) fail(422, '1001', 'url must be an http(s) URL')
      if (b.httpAuthHeader !== undefined && b.httpAuthHeader !== null && typeof b.httpAuthHeader !== 'string') fail(422, '1001', 'httpAuthHeader must be a string')
      const flag = b.enabled ?? b.active
      if (flag !== undefined && typeof flag !== 'boolean') fail(422, '1001', 'enabled must be true or false')
      const hook = {type: type as WebhookType, url: b.url as string, enabled: flag === undefined ? true : (flag as boolean), ...(b.httpAuthHeader ? {authHeader: b.httpAuthHeader as string} : {})}
      s.webhooks[hook.type] = hook
      scheduleSave()
      return {status: 200, body: {subAccountId: sub, count: 1, webhooks: [publicWebhook(hook)], statusCode: 0, statusMessage: 'ok'}}
    },
    'DELETE /webhooks/{webhook-type}': async ({sub, s, id}) => {
      const type = id as WebhookType
      const hook = s.webhooks[type]
      if (!hook) fail(404, '1404', `No ${id} webhook registered for sub-account ${sub}${s.webhooks[id.toUpperCase() as WebhookType] ? ` (types are upper case: ${id.toUpperCase()})` : ''}`)
      delete s.webhooks[type]
      scheduleSave()
      return {status: 200, body: {subAccountId: sub, ...publicWebhook(hook!), statusCode: 0, statusMessage: 'deleted'}}
    },
    'GET /recording-push-config': async ({sub, s}) => {
      if (!s.recordingConfig) fail(404, '1404', `No recording push config for sub-account ${sub}`)
      return {status: 200, body: {subAccountId: sub, ...publicRecordingConfig(s.recordingConfig!), statusCode: 0, statusMessage: 'ok'}}
    },
    'POST /recording-push-config': async ({req, sub, s}) => {
      const b = objectBody(await readBody(req))
      // 8x8 shows both cases (`S3` and `SFTP` in its docs, `ftp` in the spec's answer): any case is accepted, and kept as sent.
      const sent = typeof b.protocol === 'string' ? b.protocol : ''
      const protocol = sent.toLowerCase()
      if (protocol !== 'ftp' && protocol !== 'sftp' && protocol !== 's3') fail(422, '1001', 'protocol must be ftp, sftp or S3')
      if (typeof b.host !== 'string' || b.host.trim() === '') fail(422, '1001', 'host is required')
      if (b.port !== undefined && (!Number.isInteger(b.port) || (b.port as number) < 1 || (b.port as number) > 65_535)) fail(422, '1001', 'port must be an integer from 1 to 65535')
      for (const k of ['username', 'password', 'path']) if (b[k] !== undefined && typeof b[k] !== 'string') fail(422, '1001', `${k} must be a string`)
      // S3's host is an AWS region and has no default port.
      s.recordingConfig = {protocol: sent, host: b.host as string, port: (b.port as number | undefined) ?? (protocol === 'ftp' ? 21 : protocol === 'sftp' ? 22 : undefined), username: b.username as string | undefined, password: b.password as string | undefined, path: (b.path as string | undefined) ?? '/'}
      scheduleSave()
      return {status: 200, body: {subAccountId: sub, ...publicRecordingConfig(s.recordingConfig), statusCode: 0, statusMessage: 'ok'}}
    },
    'DELETE /recording-push-config': async ({sub, s}) => {
      const old = s.recordingConfig
      if (!old) fail(404, '1404', `No recording push config for sub-account ${sub}`)
      s.recordingConfig = undefined
      scheduleSave()
      return {status: 200, body: {delete: true, subAccountId: sub, ...publicRecordingConfig(old!), statusCode: 0, statusMessage: 'deleted'}}
    },
    'GET /recordings/{sessionId}': async ({sub, id}) => {
      const t = engine.timeline(id)
      if (!t || t.subAccountId !== sub) fail(404, '1404', `No session ${id} in sub-account ${sub}`)
      const recordings = t!.recording ? [t!.recording] : []
      return {status: 200, body: {recordings, statusCode: 0, statusMessage: 'ok'}}
    },
    'GET /numbers': async ({s}) => {
      const last = s.numbers.map((n) => n.dateUpdated ?? '').sort().pop()
      return {status: 200, body: {totalNumbers: s.numbers.length, lastUpdatedAt: last, numbers: s.numbers, statusCode: 0, statusMessage: 'ok'}}
    },
    'GET /numbers/{number}': async ({sub, id}) => {
      const n = state.findNumber(sub, id)
      if (!n) return {status: 404, body: {statusCode: 404, statusMessage: `Number ${id} is not assigned to sub-account ${sub}`, timestamp: now().toISOString()}}
      return {status: 200, body: {statusCode: 0, statusMessage: 'ok', timestamp: now().toISOString(), payload: {referenceId: n.referenceId, msisdn: n.msisdn, countryCode: n.countryCode}}}
    },
    'POST /messages/exports': async ({req, sub, s}) => {
      const b = objectBody(await readBody(req))
      const t = now().getTime()
      const read = (k: 'from' | 'to', dflt: number) => {
        const v = b[k]
        if (v === undefined || v === null || v === '') return dflt
        const parsed = typeof v === 'string' ? parseExportDate(v, k === 'to') : undefined
        return parsed ?? fail(400, '1001', `${k} "${String(v)}" is not a date (yyyy-MM-dd, or yyyy-MM-ddTHH:mm:ss with Z or an offset)`)
      }
      const from = read('from', t - 7 * 86_400_000)
      const to = read('to', t)
      if (from >= to) fail(400, '1001', 'from must be before to')
      const limit = b.limit === undefined || b.limit === null ? 0 : b.limit
      if (!Number.isInteger(limit) || (limit as number) < 0) fail(400, '1001', 'limit must be a whole number, 0 or more (0 = unlimited)')
      const job = newExportJob(sub, {from, to, limit: limit as number}, s.exportBehaviour, now())
      s.exports[job.jobId] = job
      scheduleSave()
      return {status: 202, body: {jobId: job.jobId}}
    },
    'DELETE /messages/exports/{jobId}': async ({s, id}) => {
      const job = s.exports[id]
      if (!job) fail(404, '1404', `No export job ${id}`)
      if (job!.status === 'queued' || job!.status === 'running') job!.status = 'cancelled'
      scheduleSave()
      return {status: 204}
    },
    'GET /messages/exports/{jobId}': async ({sub, s, id}) => {
      const job = s.exports[id]
      if (!job) fail(404, '1404', `No export job ${id}`)
      pollExportJob(job!, () => engine.summaries(sub), now())
      scheduleSave()
      const body: Json = {status: job!.status}
      if (job!.status === 'succeeded') {
        body.data = job!.files!.map((_, i) => `${baseUrl}/sandbox/exports/${job!.jobId}/part-${i + 1}.csv`)
        body.expires = job!.expires
      }
      return {status: 200, body}
    },
  }

  async function api(req: http.IncomingMessage, method: string, sub: string, rest: string[]): Promise<Reply> {
    if (!SUBACCOUNT_ID.test(sub)) {
      if (rest[0] === 'callflows') return {status: 404, body: {sessionStatus: 'NOT_CREATED', callFlowRequestId: randomUUID(), statusCode: 404, statusMessage: `Sub-account ${sub} not found`}}
      checkSub(sub)
    }
    const s = state.sub(sub)
    const found = matchRoute(Object.keys(API_ROUTES), method, rest)
    if (found) return API_ROUTES[found.key]({req, sub, s, id: found.params[0] ?? ''})
    return {status: 404, body: errorBody('1404', `No such operation: ${method} /api/v1/subaccounts/${sub}/${rest.join('/')}`)}
  }

  function downloadExport(jobId: string, file: string): Reply {
    const m = /^part-(\d+)\.csv$/.exec(file)
    for (const sub of state.subAccountIds()) {
      const job = state.sub(sub).exports[jobId]
      if (!job) continue
      const content = m && job.status === 'succeeded' ? job.files?.[Number(m[1]) - 1] : undefined
      if (content === undefined || (job.expires && Date.parse(job.expires) < now().getTime())) break
      return {status: 200, text: content, headers: {'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${jobId}-${file}"`}}
    }
    return {status: 404, body: errorBody('1404', 'No such export file (cancelled, expired or never made)')}
  }

  async function control(req: http.IncomingMessage, method: string, url: URL, sub: string, rest: string[]): Promise<Reply> {
    checkSub(sub)
    const [what, id, extra] = rest
    if (what === 'destinations' && id && rest.length === 2) {
      if (method === 'GET') return {status: 200, body: {number: id, ...(state.script(sub, id) ?? {})}}
      if (method === 'DELETE') {
        state.setScript(sub, id, {})
        scheduleSave()
        return {status: 200, body: {number: id}}
      }
      if (method === 'PUT' || method === 'POST') {
        const b = objectBody(await readBody(req))
        if (b.outcome !== undefined && b.outcome !== null && !isOutcome(b.outcome)) fail(400, '1001', `outcome must be one of answer, busy, no-answer, failed, no-coverage, tts-failure, file-failure, trunk-capacity, caller-hangup`)
        const presses = b.presses === undefined || b.presses === null ? undefined : typeof b.presses === 'string' || Array.isArray(b.presses) ? parsePresses(b.presses as string | string[]) : fail(400, '1001', 'presses must be a string like "1,2#" or an array of strings')
        const bad = presses && checkPresses(presses)
        if (bad) fail(400, '1001', bad)
        const script = {presses, outcome: (b.outcome ?? undefined) as never, once: b.once === true ? true : undefined}
        state.setScript(sub, id, script)
        scheduleSave()
        return {status: 200, body: {number: id, ...script}}
      }
    }
    if (what === 'sessions' && rest.length === 1 && method === 'GET') return {status: 200, body: {sessions: engine.listSessions(sub)}}
    if (what === 'sessions' && id === 'seed' && rest.length === 2 && method === 'POST') {
      const b = objectBody(await readBody(req))
      const count = b.count ?? 100
      if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 100_000) fail(400, '1001', 'count must be a whole number from 1 to 100000')
      const t = now().getTime()
      const from = typeof b.from === 'string' ? parseExportDate(b.from, false) : t - 7 * 86_400_000
      const to = typeof b.to === 'string' ? parseExportDate(b.to, true) : t
      if (from === undefined || to === undefined || from >= to) fail(400, '1001', 'from and to must be dates (yyyy-MM-dd or date-times), from before to')
      const sources = b.sources === undefined ? undefined : b.sources
      if (sources !== undefined && !(Array.isArray(sources) && sources.length <= 100 && sources.every((x) => typeof x === 'string' && x.length <= 200))) fail(400, '1001', 'sources must be a list of at most 100 strings (caller ids)')
      const created = seedSessions(engine, sub, {count: count as number, from: from!, to: to!, sources: sources as string[] | undefined})
      scheduleSave()
      return {status: 200, body: {created}}
    }
    if (what === 'sessions' && id && rest.length === 2 && method === 'GET') {
      const wait = Math.min(Number(url.searchParams.get('wait') ?? 0) || 0, MAX_WAIT_MS)
      const sinceRaw = url.searchParams.get('since')
      let t = engine.timeline(id)
      if (!t || t.subAccountId !== sub) fail(404, '1404', `No session ${id} in sub-account ${sub}`)
      if (wait > 0 && sinceRaw !== null) t = await engine.waitForChange(id, Number(sinceRaw) || 0, wait)
      else if (wait > 0 && t!.state !== 'ended') {
        // The long-poll's timer is cleared once the session ends: a pending one would keep a finished command alive.
        let timer: NodeJS.Timeout | undefined
        t = await Promise.race([engine.waitForEnd(id), new Promise<Timeline>((r) => (timer = setTimeout(() => r(engine.timeline(id)!), wait).unref()))])
        clearTimeout(timer)
      }
      return {status: 200, body: t}
    }
    if (what === 'sessions' && id && extra === 'digits' && rest.length === 3 && method === 'POST') {
      const b = objectBody(await readBody(req))
      engine.sendDigits(id, typeof b.keys === 'string' ? b.keys.replace(/\s+/g, '') : '')
      return {status: 200, body: {sessionId: id, accepted: b.keys}}
    }
    if (what === 'sessions' && id && extra === 'hangup' && rest.length === 3 && method === 'POST') {
      engine.hangUp(id)
      return {status: 200, body: {sessionId: id, hungUp: true}}
    }
    if (what === 'calls' && rest.length === 1 && method === 'POST') {
      const b = objectBody(await readBody(req))
      if (typeof b.from !== 'string' || typeof b.to !== 'string') fail(400, '1001', 'from and to are required (phone numbers)')
      const presses = typeof b.presses === 'string' || Array.isArray(b.presses) ? (b.presses as string | string[]) : undefined
      const sessionId = engine.startInbound({subAccountId: sub, from: b.from as string, to: b.to as string, presses, interactive: b.interactive === true})
      return {status: 201, body: {sessionId}}
    }
    if (what === 'exports' && id === 'behaviour' && rest.length === 2) {
      const s = state.sub(sub)
      if (method === 'DELETE') s.exportBehaviour = {...DEFAULT_EXPORT_BEHAVIOUR}
      else if (method === 'POST' || method === 'PUT') {
        const b = objectBody(await readBody(req))
        const outcomes = ['succeeded', 'failed', 'error', 'empty']
        if (b.outcome !== undefined && b.outcome !== null && !outcomes.includes(b.outcome as string)) fail(400, '1001', `outcome must be one of ${outcomes.join(', ')}`)
        if (b.rowsPerFile !== undefined && (!Number.isInteger(b.rowsPerFile) || (b.rowsPerFile as number) < 1)) fail(400, '1001', 'rowsPerFile must be a whole number, 1 or more')
        if (b.polls !== undefined && (!Number.isInteger(b.polls) || (b.polls as number) < 0)) fail(400, '1001', 'polls must be a whole number, 0 or more')
        s.exportBehaviour = {
          outcome: (b.outcome ?? s.exportBehaviour.outcome ?? undefined) as ForcedExportOutcome | undefined,
          rowsPerFile: (b.rowsPerFile as number | undefined) ?? s.exportBehaviour.rowsPerFile,
          polls: (b.polls as number | undefined) ?? s.exportBehaviour.polls,
        }
      }
      scheduleSave()
      return {status: 200, body: s.exportBehaviour}
    }
    return {status: 404, body: errorBody('1404', `No such sandbox endpoint: ${method} ${url.pathname}`)}
  }

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

function publicWebhook(w: {type: string; url: string; enabled: boolean; authHeader?: string}) {
  return {type: w.type, url: w.url, enabled: w.enabled, httpAuthHeaderAvailable: Boolean(w.authHeader)}
}

function publicRecordingConfig(c: {protocol: string; host: string; port?: number; username?: string; password?: string; path?: string}) {
  return {protocol: c.protocol, host: c.host, port: c.port, username: c.username ?? '', passwordSet: Boolean(c.password), path: c.path ?? '/'}
}

/** The built-in demo responder (POST /sandbox/demo-vca): a one-level menu that says which key was pressed. */
export function demoVcaAnswer(parsed: {ok: boolean; value?: unknown}): unknown {
  const payload = parsed.ok ? ((parsed.value as any)?.payload ?? {}) : {}
  const voiceProfile = 'en-US-Neural2-C'
  if (payload.callStatus === 'CALL_RECEIVED') {
    return {clientActionId: 'demo-menu', callflow: [{action: 'sayAndCapture', params: {promptMessage: 'Welcome to the ivr sandbox. Press any key.', voiceProfile, minDigits: 1, maxDigits: 1, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 2}}]}
  }
  const dtmf = payload.eventData?.dtmf
  const text = typeof dtmf === 'string' && dtmf !== '' ? `You pressed ${dtmf.split('').join(' ')}. Goodbye.` : 'We did not get your choice. Goodbye.'
  return {clientActionId: 'demo-done', callflow: [{action: 'say', params: {text, voiceProfile}}, {action: 'hangup'}]}
}

// ---- the state file -------------------------------------------------------------------------

interface StateFile {
  version: 1
  subAccounts: unknown
  sessions: Timeline[]
}

async function loadState(file: string, state: SandboxState, engine: CallEngine): Promise<void> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  let data: StateFile
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new SandboxError(`state file ${file} is not valid JSON (${(error as Error).message}); move it away or fix it`, 400)
  }
  state.load(data.subAccounts)
  for (const t of Array.isArray(data.sessions) ? data.sessions : []) if (t && typeof t.sessionId === 'string' && t.summary) engine.addFinished({...t, state: 'ended'})
}

async function saveState(file: string, state: SandboxState, engine: CallEngine): Promise<void> {
  const data: StateFile = {version: 1, subAccounts: state.toJSON(), sessions: engine.finishedTimelines()}
  // It holds webhook auth headers and recording passwords: 0600.
  await writeFileAtomic(file, JSON.stringify(data), {mode: 0o600})
}
