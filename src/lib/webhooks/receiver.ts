/**
 * The local webhook receiver behind `ivr sessions tail`: stores every webhook durably before
 * answering 200, refuses what is not a webhook (401, 404, 405, 413, 400: a body that is not a JSON
 * object, or nests too deep; each answered, none fatal, nothing stored), and optionally relays
 * each one to the user's own app. HTTP comes from the kit (http/server.ts); it never prints: the
 * command gets callbacks.
 */
import type http from 'node:http'

import {postBody, type PostResult} from '../http/client.js'
import {gate, parseJsonObject, pathOf, readBody, refuse, startHttpServer, MAX_BODY_BYTES, type Refusal, type Router, type ServerLimits} from '../http/server.js'
import {type EventStore, type StoredEvent} from '../sessions/store.js'
import {makeStoredEvent} from '../sessions/stored-event.js'
import {parseWebhook, type ParsedWebhook} from './parse.js'

/** What relaying a webhook to the user's app gave. */
export type ForwardResult = PostResult

export interface ReceiverOptions extends ServerLimits {
  host: string
  port: number
  store: EventStore
  /** When set, only this path is accepted (others get 404); otherwise any path. */
  path?: string
  /** Serve `path` on this shared listener instead of listening on host:port (one public URL for several servers). */
  router?: Router
  /** The exact Authorization value the platform sends (the webhook's httpAuthHeader). */
  authHeader?: string
  forwardTo?: string
  forwardTimeoutMs?: number
  maxBodyBytes?: number
  onEvent?: (ev: StoredEvent, info: {duplicate: boolean; parsed: ParsedWebhook}) => void
  onForward?: (result: ForwardResult, ev: StoredEvent) => void
  onRejected?: (r: Refusal) => void
  /** The store could not take an event (answered 500 so the platform retries). */
  onStoreError?: (error: unknown) => void
}

export interface Receiver {
  url: string
  server: http.Server
  /** Requests being handled right now. */
  readonly inFlight: number
  /** Stops accepting, finishes the requests under way, then flushes the store. */
  close(): Promise<void>
}

/** Headers worth relaying to the user's app: the body's type, the platform's auth header, and x-*. */
function relayHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    if (k === 'content-type' || k === 'authorization' || k === 'user-agent' || k.startsWith('x-')) out[k] = Array.isArray(v) ? v.join(', ') : v
  }
  out['content-type'] ??= 'application/json'
  return out
}

/** POSTs a body to a URL and reports the answer, without ever throwing (`sessions replay`, --forward-to). */
export function relay(url: string, body: Buffer | string, headers: Record<string, string>, timeoutMs = 10_000): Promise<ForwardResult> {
  return postBody(url, body, headers, timeoutMs)
}

const JSON_TYPE = {'content-type': 'application/json'}
const RECEIVED = JSON.stringify({received: true, duplicate: false})
const RECEIVED_AGAIN = JSON.stringify({received: true, duplicate: true})

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const maxBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES
  const rules = {path: opts.path, pathHint: 'this receiver listens', methods: ['POST', 'GET', 'HEAD'], openMethods: ['GET', 'HEAD'], authHeader: opts.authHeader, maxBodyBytes: maxBytes}

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET'
    const path = pathOf(req)
    const answer = (status: number, body: string, headers: Record<string, string> = JSON_TYPE) => {
      if (!res.headersSent) res.writeHead(status, headers).end(body)
    }
    const refused = (status: number, reason: string, headers?: Record<string, string>) => {
      opts.onRejected?.({status, method, path, reason})
      refuse(req, res, {status, reason, headers})
    }
    const stop = gate(req, rules)
    if (stop) return refused(stop.status, stop.reason, stop.headers)
    if (method === 'GET' || method === 'HEAD') return answer(200, JSON.stringify({receiver: 'ivr sessions tail', ok: true}))

    const bodyBuf = await readBody(req, maxBytes)
    if (bodyBuf === undefined) return // the sender went away mid-body: nothing was acknowledged
    if (bodyBuf === 'too big') return refused(413, `body over ${maxBytes} bytes`)
    const body = parseJsonObject(bodyBuf)
    if (!body.ok) {
      opts.onRejected?.({status: 400, method, path, reason: body.reason})
      return answer(400, JSON.stringify({error: body.reason}))
    }

    const parsed = parseWebhook(body.value)
    const ev = makeStoredEvent(parsed, {bodyText: bodyBuf.toString('utf8'), path})
    let duplicate: boolean
    try {
      duplicate = !(await opts.store.append(ev, bodyBuf)).stored
    } catch (error) {
      opts.onStoreError?.(error)
      return answer(500, JSON.stringify({error: 'could not store the event; send it again'}))
    }
    opts.onEvent?.(ev, {duplicate, parsed})

    // A repeated VCA is relayed again: the platform is still waiting for its answer (the next callflow).
    if (opts.forwardTo && (!duplicate || parsed.kind === 'vca')) {
      const target = opts.forwardTo.replace(/\/+$/, '') + (new URL(opts.forwardTo).pathname === '/' ? path : '')
      const result = await relay(target, bodyBuf, relayHeaders(req.headers), opts.forwardTimeoutMs)
      opts.onForward?.(result, ev)
      // The app's answer is passed back (a VCA's answer is the next callflow); the event is stored either way.
      if (result.status !== undefined && result.status >= 200 && result.status < 300 && result.body) {
        return answer(200, result.body, {'content-type': result.contentType ?? 'application/json'})
      }
    }
    answer(200, duplicate ? RECEIVED_AGAIN : RECEIVED)
  }

  const http_ = opts.router ? opts.router.mount(opts.path ?? '/', handle) : await startHttpServer({...opts, handle})
  return {
    url: `${http_.url}${opts.path ?? ''}`,
    server: http_.server,
    get inFlight() {
      return http_.inFlight
    },
    async close() {
      await http_.close()
      await opts.store.flush()
    },
  }
}
