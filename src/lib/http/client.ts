/**
 * The one small HTTP client for local traffic (webhook relay and replay, the sandbox's control
 * endpoints and discovery, its webhook delivery): one request, one answer, never a retry, a
 * timeout always, a bounded answer. The API itself goes through got (api/client.ts).
 */
import http from 'node:http'
import https from 'node:https'

import {MAX_BODY_BYTES} from './server.js'

export interface PostResult {
  url: string
  method: string
  /** The HTTP status, when the server answered. */
  status?: number
  ms: number
  /** Why it did not answer (refused, timed out...). */
  error?: string
  /** The answer's body (text, at most 1 MiB kept unless maxBodyBytes says otherwise). */
  body?: string
  contentType?: string
  /** The error as raised, for callers that word it themselves; `timedOut` when it was the timeout or the deadline. */
  cause?: Error & {code?: string; timedOut?: boolean}
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: Buffer | string
  /** Idle time allowed on the socket (default 10 s). */
  timeoutMs?: number
  /** Time allowed for the whole exchange, answer included (default: none beyond timeoutMs). */
  deadlineMs?: number
  agent?: http.Agent
  /** Most bytes of the answer kept (default 1 MiB). */
  maxBodyBytes?: number
}

/** One request; resolves with what happened, never rejects. */
export function request(url: string, opts: RequestOptions = {}): Promise<PostResult> {
  const method = opts.method ?? 'GET'
  const timeoutMs = opts.timeoutMs ?? 10_000
  const started = process.hrtime.bigint()
  const ms = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6)
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES
  return new Promise((resolve) => {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      resolve({url, method, ms: 0, error: 'not a URL'})
      return
    }
    const lib = target.protocol === 'https:' ? https : http
    const data = opts.body === undefined ? undefined : typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body
    const headers = {...opts.headers, ...(data ? {'content-length': String(data.length)} : {})}
    const timedOut = (limit: number) => Object.assign(new Error(`no answer within ${limit} ms`), {timedOut: true})
    let deadline: NodeJS.Timeout | undefined
    const done = (r: PostResult) => {
      clearTimeout(deadline)
      resolve(r)
    }
    const req = lib.request(target, {method, headers, timeout: timeoutMs, agent: opts.agent}, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        if (size < maxBody) chunks.push(c.subarray(0, maxBody - size))
        size += c.length
      })
      res.on('end', () => done({url, method, status: res.statusCode, ms: ms(), body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type']}))
      res.on('error', (e) => done({url, method, status: res.statusCode, ms: ms(), error: e.message, cause: e}))
    })
    if (opts.deadlineMs !== undefined) deadline = setTimeout(() => req.destroy(timedOut(opts.deadlineMs!)), opts.deadlineMs)
    req.on('timeout', () => req.destroy(timedOut(timeoutMs)))
    req.on('error', (e: NodeJS.ErrnoException) => done({url, method, ms: ms(), error: e.code === 'ECONNREFUSED' ? 'connection refused (is it running?)' : e.message, cause: e}))
    req.end(data)
  })
}

/** POSTs a body (JSON unless the headers say otherwise). */
export function postBody(url: string, body: Buffer | string, headers: Record<string, string> = {}, timeoutMs?: number): Promise<PostResult> {
  return request(url, {method: 'POST', body, headers: {'content-type': 'application/json', ...headers}, timeoutMs})
}

/** The answer's body read as JSON: undefined when empty (or blank), the text itself when it is not JSON. */
export function jsonOf(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '') return undefined
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

/** A JSON request (`json` is sent as the body): the parsed answer in `data` (see jsonOf). */
export async function requestJson(url: string, opts: RequestOptions & {json?: unknown} = {}): Promise<PostResult & {data?: unknown}> {
  const body = opts.json === undefined ? opts.body : JSON.stringify(opts.json)
  const headers = {accept: 'application/json', ...(opts.json === undefined ? {} : {'content-type': 'application/json'}), ...opts.headers}
  const r = await request(url, {...opts, body, headers})
  return {...r, data: jsonOf(r.body)}
}
