/** How the sandbox delivers webhooks by default: a real HTTP POST through the small JSON client, with keep-alive agents. */
import http from 'node:http'
import https from 'node:https'

import {request} from '../http/client.js'
import type {Deliver} from './types.js'

const agents = {http: new http.Agent({keepAlive: true, maxSockets: 64}), https: new https.Agent({keepAlive: true, maxSockets: 64})}

/**
 * POSTs JSON to url within timeoutMs (the whole exchange); resolves with the status and the parsed
 * body (the raw text when it is not JSON), rejects when no answer came.
 */
export function httpDeliver(timeoutMs: number): Deliver {
  return async (req) => {
    let url: URL
    try {
      url = new URL(req.url)
    } catch {
      throw new Error(`invalid URL ${req.url}`)
    }
    const r = await request(req.url, {
      method: 'POST', body: JSON.stringify(req.body), timeoutMs, deadlineMs: timeoutMs,
      headers: {'content-type': 'application/json', 'user-agent': '8x8-voice-sandbox', ...(req.authHeader ? {authorization: req.authHeader} : {})},
      agent: url.protocol === 'https:' ? agents.https : agents.http,
    })
    if (r.error !== undefined || r.status === undefined) throw r.cause?.timedOut ? new Error(`timed out after ${timeoutMs} ms`) : r.cause ?? new Error(r.error ?? 'no answer')
    const text = r.body ?? ''
    let body: unknown = text
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
    }
    return {status: r.status, body}
  }
}
