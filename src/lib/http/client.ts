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
  /** The answer's body (text, at most 1 MiB kept). */
  body?: string
  contentType?: string
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: Buffer | string
  timeoutMs?: number
  agent?: http.Agent
}

/** One request; resolves with what happened, never rejects. */
export function request(url: string, opts: RequestOptions = {}): Promise<PostResult> {
  const method = opts.method ?? 'GET'
  const timeoutMs = opts.timeoutMs ?? 10_000
  const started = process.hrtime.bigint()
  const ms = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6)
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
    const req = lib.request(target, {method, headers, timeout: timeoutMs, agent: opts.agent}, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size <= MAX_BODY_BYTES) chunks.push(c)
      })
      res.on('end', () => resolve({url, method, status: res.statusCode, ms: ms(), body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type']}))
      res.on('error', (e) => resolve({url, method, status: res.statusCode, ms: ms(), error: e.message}))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({url, method, ms: ms(), error: e.code === 'ECONNREFUSED' ? 'connection refused (is it running?)' : e.message}))
    req.end(data)
  })
}

/** POSTs a body (JSON unless the headers say otherwise). */
export function postBody(url: string, body: Buffer | string, headers: Record<string, string> = {}, timeoutMs?: number): Promise<PostResult> {
  return request(url, {method: 'POST', body, headers: {'content-type': 'application/json', ...headers}, timeoutMs})
}

/** A JSON request: the parsed answer (undefined for an empty one, the text when it is not JSON). */
export async function requestJson(url: string, opts: RequestOptions & {json?: unknown} = {}): Promise<PostResult & {data?: unknown}> {
  const body = opts.json === undefined ? opts.body : JSON.stringify(opts.json)
  const headers = {accept: 'application/json', ...(opts.json === undefined ? {} : {'content-type': 'application/json'}), ...opts.headers}
  const r = await request(url, {...opts, body, headers})
  if (r.body === undefined || r.body === '') return r
  try {
    return {...r, data: JSON.parse(r.body)}
  } catch {
    return {...r, data: r.body}
  }
}
