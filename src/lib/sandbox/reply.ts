/** The sandbox server's replies and errors, and reading request bodies: shared by its routes. */
import {randomUUID} from 'node:crypto'
import type http from 'node:http'

import {readBody as readBounded} from '../http/server.js'
import {SUBACCOUNT_ID} from './state.js'

/** How long a long poll may wait (the server's socket timeout outlasts it). */
export const MAX_WAIT_MS = 60_000

export type Json = Record<string, unknown>
export interface Reply {status: number; body?: unknown; headers?: Record<string, string>; text?: string}

export class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super('http error')
  }
}

/** The error body the platform uses outside Send Callflow (its 422/404 schema). */
export function errorBody(statusCode: string, statusMessage: string): Json {
  return {errorId: randomUUID(), statusCode, statusMessage, timestamp: new Date().toISOString()}
}

export const fail = (status: number, code: string, message: string): never => {
  throw new HttpError({status, body: errorBody(code, message)})
}

/** The request body as text, through the server kit's bounded reader (over 1 MiB: 413). */
export async function readBody(req: http.IncomingMessage): Promise<string> {
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

export function parseJson(text: string): {ok: true; value: unknown} | {ok: false; error: string} {
  if (text.trim() === '') return {ok: true, value: undefined}
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch (error) {
    return {ok: false, error: (error as Error).message}
  }
}

export function objectBody(text: string): Json {
  const parsed = parseJson(text)
  if (!parsed.ok) fail(400, '1001', `Invalid JSON request body: ${parsed.error}`)
  const v = (parsed as {value: unknown}).value ?? {}
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(400, '1001', 'Invalid JSON request body: an object is expected')
  return v as Json
}

/** A sub-account id the platform would accept; else its 404. */
export function checkSub(sub: string): void {
  if (!SUBACCOUNT_ID.test(sub)) fail(404, '1404', `Sub-account ${sub} not found (ids match ^[A-Za-z0-9-._&]{3,50}$)`)
}
