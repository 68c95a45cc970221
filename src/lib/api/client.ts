import got, {HTTPError, RequestError, type Got, type OptionsInit} from 'got'
import {HttpProxyAgent, HttpsProxyAgent} from 'hpagent'

import type {CallflowRequest} from '../callflow/types.js'
import {redactSecrets, scrubText} from '../render/redact.js'
import {ApiError, apiErrorFromResponse, apiErrorFromTransport} from './errors.js'
import {subAccountPath} from './paths.js'
import type {
  CreateWebhookRequest, DeleteWebhookResponse, LogExportJob, LogExportRequest, NumberCheckResponse, NumbersResponse,
  RecordingPushConfig, RecordingPushConfigRequest, RecordingsResponse, SendCallflowResponse, SpeechProfilesResponse,
  WebhookType, WebhooksResponse,
} from './types.js'

export {DEFAULT_BASE_URL} from './defaults.js'

export interface ProxySettings {
  httpsProxy?: string
  httpProxy?: string
  noProxy?: string
}

export interface ClientOptions {
  baseUrl: string
  apiKey: string
  subAccountId: string
  userAgent: string
  /** Milliseconds to establish a connection, and for the whole request. */
  connectTimeoutMs?: number
  timeoutMs?: number
  /** How many times GET and DELETE are retried on transient failures. POST never is. */
  retries?: number
  /** The wait before the first retry, doubling for each one after (backoffMs); a server's Retry-After wins. */
  retryBackoffMs?: number
  proxy?: ProxySettings
  /** Receives one line of trace per event, secrets already masked. */
  debug?: (line: string) => void
}

export const DEFAULT_RETRY_BACKOFF_MS = 1000
const RETRY_BACKOFF_LIMIT_MS = 8000

/** The wait before retry number `attempt` (1, 2, ...): `firstMs`, doubling each time, at most 8 s. */
export function backoffMs(attempt: number, firstMs = DEFAULT_RETRY_BACKOFF_MS): number {
  return Math.min(firstMs * 2 ** (attempt - 1), RETRY_BACKOFF_LIMIT_MS)
}

/** Whether `host` is covered by a NO_PROXY list (comma separated hosts, suffixes, or `*`). */
export function bypassesProxy(host: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false
  return noProxy.split(/[,\s]+/).filter(Boolean).some((entry) => {
    if (entry === '*') return true
    const e = entry.replace(/^\*?\./, '').replace(/:\d+$/, '').toLowerCase()
    const h = host.toLowerCase()
    return h === e || h.endsWith(`.${e}`)
  })
}

function proxyAgents(baseUrl: string, proxy: ProxySettings | undefined): OptionsInit['agent'] | undefined {
  if (!proxy || (!proxy.httpsProxy && !proxy.httpProxy)) return undefined
  const host = new URL(baseUrl).hostname
  if (bypassesProxy(host, proxy.noProxy)) return undefined
  const agent: NonNullable<OptionsInit['agent']> = {}
  const httpsProxy = proxy.httpsProxy ?? proxy.httpProxy
  if (httpsProxy) agent.https = new HttpsProxyAgent({proxy: httpsProxy, keepAlive: true})
  if (proxy.httpProxy) agent.http = new HttpProxyAgent({proxy: proxy.httpProxy, keepAlive: true})
  return agent
}

function requestIdOf(headers: Record<string, string | string[] | undefined>, body: unknown): string | undefined {
  for (const h of ['x-request-id', 'x-correlation-id', 'x-amzn-requestid', 'request-id']) {
    const v = headers[h]
    if (typeof v === 'string' && v) return v
  }
  const id = body && typeof body === 'object' ? (body as {callFlowRequestId?: unknown}).callFlowRequestId : undefined
  if (typeof id === 'string') return id
  return undefined
}

function parseBody(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw
  if (raw === '') return undefined
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/** The API client: one got instance, one typed function per operation of the spec. */
export class VoiceApi {
  readonly baseUrl: string
  readonly subAccountId: string
  private readonly http: Got
  private readonly opts: ClientOptions

  constructor(opts: ClientOptions) {
    this.opts = opts
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.subAccountId = opts.subAccountId
    const debug = opts.debug
    const secrets = [opts.apiKey]
    const trace = (line: string) => debug?.(scrubText(line, secrets))
    const showBody = (body: unknown) => {
      if (body === undefined || body === '') return ''
      const parsed = parseBody(typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : body)
      return ` ${typeof parsed === 'string' ? parsed.slice(0, 4000) : JSON.stringify(redactSecrets(parsed))}`
    }

    this.http = got.extend({
      prefixUrl: this.baseUrl,
      headers: {
        authorization: `Bearer ${opts.apiKey}`,
        'user-agent': opts.userAgent,
        accept: 'application/json',
      },
      agent: proxyAgents(this.baseUrl, opts.proxy),
      timeout: {connect: opts.connectTimeoutMs ?? 10_000, request: opts.timeoutMs ?? 30_000},
      retry: {
        limit: opts.retries ?? 2,
        // A POST is never retried: a repeated Send Callflow would ring someone twice.
        methods: ['GET', 'DELETE'],
        statusCodes: [429, 502, 503, 504],
        errorCodes: ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'],
        maxRetryAfter: 60_000,
        // got's computedValue is 0 when this failure is not retried (a POST, the limit reached) and the
        // server's Retry-After when it sent one; else our backoff, with up to a tenth more so clients spread out.
        calculateDelay: ({attemptCount, retryAfter, computedValue, error}) => {
          if (computedValue === 0) return 0
          const base = backoffMs(attemptCount, opts.retryBackoffMs)
          const wait = retryAfter ? computedValue : base + Math.random() * base * 0.1
          trace(`... retry ${attemptCount} in ${Math.floor(wait)} ms after ${error.response ? `HTTP ${error.response.statusCode}` : error.code}`)
          return wait
        },
      },
      responseType: 'text',
      hooks: {
        beforeRequest: debug ? [(o) => {
          trace(`--> ${o.method} ${String(o.url)} authorization: Bearer ${opts.apiKey}${showBody(o.json ?? o.body)}`)
        }] : [],
        afterResponse: debug ? [(res) => {
          const ms = res.timings.phases.total ?? 0
          trace(`<-- ${res.statusCode} ${res.request.options.method} ${res.url} ${ms} ms${showBody(res.body)}`)
          return res
        }] : [],
      },
    })
  }

  private path(rest: string): string {
    return subAccountPath(this.subAccountId, rest)
  }

  private async request<T>(method: 'GET' | 'POST' | 'DELETE', rest: string, json?: unknown): Promise<{status: number; body: T}> {
    const url = `${this.baseUrl}/${this.path(rest)}`
    try {
      const res = await this.http(this.path(rest), {method, json})
      return {status: res.statusCode, body: parseBody(res.body) as T}
    } catch (error) {
      if (error instanceof HTTPError) {
        const body = parseBody(error.response.body)
        const retryAfter = error.response.headers['retry-after']
        throw apiErrorFromResponse({httpStatus: error.response.statusCode, body, requestId: requestIdOf(error.response.headers, body), method, url, baseUrl: this.baseUrl, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, retried: (error.request?.retryCount ?? 0) > 0})
      }
      if (error instanceof RequestError) {
        // A POST whose connection was made may have reached the server.
        const neverSent = error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' || (error.name === 'TimeoutError' && ['lookup', 'connect', 'secureConnect'].includes((error as {event?: string}).event ?? ''))
        const reached = method === 'POST' && !neverSent
        throw apiErrorFromTransport(error, this.baseUrl, reached)
      }
      throw error
    }
  }

  /** POST /callflows. A NOT_CREATED answer (400) becomes an ApiError carrying the platform's code. */
  async sendCallflow(body: CallflowRequest): Promise<SendCallflowResponse> {
    return (await this.request<SendCallflowResponse>('POST', 'callflows', body)).body
  }

  async getSpeechProfiles(): Promise<SpeechProfilesResponse> {
    return (await this.request<SpeechProfilesResponse>('GET', 'speech-profiles')).body
  }

  async listWebhooks(): Promise<WebhooksResponse> {
    return (await this.request<WebhooksResponse>('GET', 'webhooks')).body
  }

  async createWebhook(body: CreateWebhookRequest): Promise<WebhooksResponse> {
    return (await this.request<WebhooksResponse>('POST', 'webhooks', body)).body
  }

  async deleteWebhook(type: WebhookType): Promise<DeleteWebhookResponse> {
    return (await this.request<DeleteWebhookResponse>('DELETE', `webhooks/${encodeURIComponent(type)}`)).body
  }

  async getRecordingPushConfig(): Promise<RecordingPushConfig> {
    return (await this.request<RecordingPushConfig>('GET', 'recording-push-config')).body
  }

  async setRecordingPushConfig(body: RecordingPushConfigRequest): Promise<RecordingPushConfig> {
    return (await this.request<RecordingPushConfig>('POST', 'recording-push-config', body)).body
  }

  async deleteRecordingPushConfig(): Promise<RecordingPushConfig> {
    return (await this.request<RecordingPushConfig>('DELETE', 'recording-push-config')).body
  }

  async getRecordings(sessionId: string): Promise<RecordingsResponse> {
    return (await this.request<RecordingsResponse>('GET', `recordings/${encodeURIComponent(sessionId)}`)).body
  }

  async listNumbers(): Promise<NumbersResponse> {
    return (await this.request<NumbersResponse>('GET', 'numbers')).body
  }

  async checkNumber(number: string): Promise<NumberCheckResponse> {
    return (await this.request<NumberCheckResponse>('GET', `numbers/${encodeURIComponent(number)}`)).body
  }

  async startLogExport(body: LogExportRequest): Promise<{jobId: string}> {
    return (await this.request<{jobId: string}>('POST', 'messages/exports', body)).body
  }

  async getLogExport(jobId: string): Promise<LogExportJob> {
    return (await this.request<LogExportJob>('GET', `messages/exports/${encodeURIComponent(jobId)}`)).body
  }

  async cancelLogExport(jobId: string): Promise<void> {
    await this.request<unknown>('DELETE', `messages/exports/${encodeURIComponent(jobId)}`)
  }

  /**
   * A readable stream of a file at an absolute URL (export downloads). The API key is sent only
   * to the API's own origin, never to a storage host that a signed link points at.
   */
  stream(url: string, headers: Record<string, string> = {}) {
    const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin
    return got.stream(url, {
      headers: {'user-agent': this.opts.userAgent, ...(sameOrigin ? {authorization: `Bearer ${this.opts.apiKey}`} : {}), ...headers},
      agent: proxyAgents(url, this.opts.proxy),
      timeout: {connect: this.opts.connectTimeoutMs ?? 10_000, response: this.opts.timeoutMs ?? 30_000},
      retry: {limit: 0},
    })
  }
}

export {ApiError}
