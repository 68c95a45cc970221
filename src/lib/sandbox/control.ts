/**
 * Client helpers for the sandbox-only control endpoints (/sandbox/...), over HTTP so they work
 * against a sandbox in another process: `ivr sandbox sessions|call`, `send-callflow --sandbox
 * --press/--wait` and tests share this one implementation.
 */
import http from 'node:http'

import {credentialsError, invalidInput, IvrError, networkError, notFound} from '../errors.js'
import {requestJson} from '../http/client.js'
import type {SessionListItem, Timeline} from './engine.js'
import type {Outcome} from './magic.js'
import type {DestinationScript, ExportBehaviour} from './state.js'

export interface SandboxTarget {
  baseUrl: string
  apiKey: string
  subAccountId: string
}

const agent = new http.Agent({keepAlive: true})

async function request<T>(target: SandboxTarget, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
  const url = `${target.baseUrl.replace(/\/+$/, '')}/sandbox/subaccounts/${encodeURIComponent(target.subAccountId)}/${path}`
  // Timelines and session lists of a long run can be large: the answer is kept whole (up to 64 MiB).
  const r = await requestJson(url, {method, json: body, headers: {authorization: `Bearer ${target.apiKey}`}, timeoutMs, agent, maxBodyBytes: 64 * 1024 * 1024})
  if (r.status === undefined || (r.error !== undefined && r.cause)) {
    const why = r.cause?.timedOut ? 'timed out' : r.cause?.code ?? r.cause?.message ?? r.error
    throw networkError(`Cannot reach the sandbox at ${target.baseUrl}: ${why}`, ['Is `ivr sandbox start` still running?'])
  }
  const status = r.status
  const parsed = r.data
  if (status >= 200 && status < 300) return parsed as T
  const said = (parsed as {statusMessage?: unknown} | undefined)?.statusMessage
  const message = typeof said === 'string' ? said : `HTTP ${status}`
  if (status === 401) throw credentialsError(`The sandbox refused the API key: ${message}`, ['Use the key `ivr sandbox start` printed, or omit --api-key on both sides.'])
  if (status === 404) throw notFound(message)
  if (status === 400 || status === 409) throw invalidInput(message)
  throw new IvrError(`The sandbox answered HTTP ${status}: ${message}`, {code: 'SANDBOX', exitCode: 1})
}

/** What a destination number presses on the calls it receives: one entry per capture ("1,2#" or ['1', '2#']). */
export function setPresses(target: SandboxTarget, destination: string, presses: string | readonly string[], opts: {outcome?: Outcome; once?: boolean} = {}): Promise<DestinationScript & {number: string}> {
  return request(target, 'PUT', `destinations/${encodeURIComponent(destination)}`, {presses, ...(opts.outcome ? {outcome: opts.outcome} : {}), ...(opts.once ? {once: true} : {})})
}

/** How a destination number answers (overrides the magic numbers); undefined clears it. */
export function setOutcome(target: SandboxTarget, destination: string, outcome: Outcome): Promise<DestinationScript & {number: string}> {
  return request(target, 'PUT', `destinations/${encodeURIComponent(destination)}`, {outcome})
}

export function clearDestination(target: SandboxTarget, destination: string): Promise<unknown> {
  return request(target, 'DELETE', `destinations/${encodeURIComponent(destination)}`)
}

/** A session's timeline; with waitMs, long-polls until it ends (or, with since, until it has more than `since` events). */
export function getTimeline(target: SandboxTarget, sessionId: string, opts: {waitMs?: number; since?: number} = {}): Promise<Timeline> {
  const q = new URLSearchParams()
  if (opts.waitMs) q.set('wait', String(opts.waitMs))
  if (opts.since !== undefined) q.set('since', String(opts.since))
  const qs = q.toString()
  return request(target, 'GET', `sessions/${encodeURIComponent(sessionId)}${qs ? `?${qs}` : ''}`, undefined, (opts.waitMs ?? 0) + 30_000)
}

/** Waits (long-polling) until the session has ended and its VSS was delivered; rejects after timeoutMs. */
export async function waitForSession(target: SandboxTarget, sessionId: string, opts: {timeoutMs?: number} = {}): Promise<Timeline> {
  const until = Date.now() + (opts.timeoutMs ?? 120_000)
  for (;;) {
    const left = until - Date.now()
    const t = await getTimeline(target, sessionId, {waitMs: Math.max(1, Math.min(left, 25_000))})
    if (t.state === 'ended') return t
    if (Date.now() >= until) throw new IvrError(`Session ${sessionId} had not ended after ${Math.round((opts.timeoutMs ?? 120_000) / 1000)} s.`, {code: 'TIMEOUT', exitCode: 6})
  }
}

/** The sandbox's sessions, newest first (by when each started, on the sandbox's clock), as every list is ordered. */
export async function listSessions(target: SandboxTarget): Promise<SessionListItem[]> {
  const {sessions} = await request<{sessions: SessionListItem[]}>(target, 'GET', 'sessions')
  return sessions.map((s, i) => ({s, i, t: Date.parse(s.startedAt)})).sort((a, b) => b.t - a.t || b.i - a.i).map(({s}) => s)
}

/** An inbound call to one of the sub-account's virtual numbers (a CALL_RECEIVED VCA starts it). */
export function startInboundCall(target: SandboxTarget, call: {from: string; to: string; presses?: string | readonly string[]; interactive?: boolean}): Promise<{sessionId: string}> {
  return request(target, 'POST', 'calls', call)
}

/** Keys typed by the caller of an interactive session. */
export function sendDigits(target: SandboxTarget, sessionId: string, keys: string): Promise<unknown> {
  return request(target, 'POST', `sessions/${encodeURIComponent(sessionId)}/digits`, {keys})
}

/** The caller of an interactive session hangs up, once the keys already sent are pressed. */
export function hangUpCall(target: SandboxTarget, sessionId: string): Promise<unknown> {
  return request(target, 'POST', `sessions/${encodeURIComponent(sessionId)}/hangup`)
}

export function setExportBehaviour(target: SandboxTarget, behaviour: Partial<ExportBehaviour> | null): Promise<ExportBehaviour> {
  return behaviour === null ? request(target, 'DELETE', 'exports/behaviour') : request(target, 'POST', 'exports/behaviour', behaviour)
}

export function seedSessions(target: SandboxTarget, opts: {count: number; from?: string; to?: string}): Promise<{created: number}> {
  return request(target, 'POST', 'sessions/seed', opts)
}
