/**
 * The 8x8 Voice API as the sandbox serves it: the 14 operations as a route table keyed
 * `METHOD /path/{param}` exactly as the spec names them, under /api/v1/subaccounts/{id}/.
 */
import {randomUUID} from 'node:crypto'
import type http from 'node:http'

import {WEBHOOK_TYPES, type WebhookType} from '../api/types.js'
import {newExportJob, parseExportDate, pollExportJob} from './exports.js'
import {isOutcome, OUTCOMES, type Outcome} from './magic.js'
import {SPEECH_PROFILES} from './profiles.js'
import {checkSub, errorBody, fail, matchRoute, objectBody, parseJson, readBody, type Json, type Reply} from './reply.js'
import type {SandboxContext} from './context.js'
import {SUBACCOUNT_ID, type SubAccountState} from './state.js'

type Route = (c: {req: http.IncomingMessage; sub: string; s: SubAccountState; id: string}) => Promise<Reply>

/** The route table, and the API's entry point: a sub-account's request to `rest` of its path. */
export function apiRoutes(ctx: SandboxContext): {routes: Record<string, Route>; api(req: http.IncomingMessage, method: string, sub: string, rest: string[]): Promise<Reply>} {
  const {engine, state, now, scheduleSave} = ctx
  /** The 14 operations of the API, keyed as in 8x8's spec (the contract test checks the keys): a new operation is one entry. */
  const API_ROUTES: Record<string, Route> = {
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
        body.data = job!.files!.map((_, i) => `${ctx.baseUrl()}/sandbox/exports/${job!.jobId}/part-${i + 1}.csv`)
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

  return {routes: API_ROUTES, api}
}

function publicWebhook(w: {type: string; url: string; enabled: boolean; authHeader?: string}) {
  return {type: w.type, url: w.url, enabled: w.enabled, httpAuthHeaderAvailable: Boolean(w.authHeader)}
}

function publicRecordingConfig(c: {protocol: string; host: string; port?: number; username?: string; password?: string; path?: string}) {
  return {protocol: c.protocol, host: c.host, port: c.port, username: c.username ?? '', passwordSet: Boolean(c.password), path: c.path ?? '/'}
}
