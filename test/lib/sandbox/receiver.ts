/** A loopback webhook server for sandbox tests: records every request, answers with a programmable handler. */
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import type {CallflowRequest} from '../../../src/lib/callflow/types.js'
import type {CallEventPayload, SessionSummaryPayload, WebhookEnvelope} from '../../../src/lib/webhooks/payloads.js'

/** A webhook the sandbox POSTs (VCA, VCS or VSS): one path may get any of them, so each payload field is optional. */
export type ReceivedBody = WebhookEnvelope<Partial<CallEventPayload> & Partial<SessionSummaryPayload>>

export interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  /** The parsed JSON body. The sandbox never POSTs an empty one; if it did, this would be undefined (as before), despite the type. */
  body: ReceivedBody
}

export type Handler = (r: Received) => {status?: number; body?: unknown; raw?: string; hang?: boolean} | undefined

export class TestReceiver {
  readonly received: Received[] = []
  handler: Handler = () => undefined
  private server!: http.Server
  url = ''

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const r: Received = {path: req.url ?? '/', headers: req.headers, body: text ? (JSON.parse(text) as ReceivedBody) : (undefined as unknown as ReceivedBody)}
        this.received.push(r)
        const a = this.handler(r) ?? {}
        if (a.hang) return
        res.writeHead(a.status ?? 200, {'content-type': 'application/json'})
        res.end(a.raw ?? JSON.stringify(a.body ?? {}))
      })
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  of(path: string): Received[] {
    return this.received.filter((r) => r.path === path)
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}

export const VOICE = 'en-US-Neural2-C'
export const SOURCE = '+6531591234'

export function capture(params: Record<string, unknown> = {}) {
  return {action: 'sayAndCapture', params: {promptMessage: 'Press 1 for sales', voiceProfile: VOICE, minDigits: 1, maxDigits: 1, digitTimeout: 5000, overallTimeout: 5000, completeOnHash: false, noOfTries: 1, ...params}}
}

/** A Send Callflow body. The actions are not checked here (some tests send invalid ones on purpose): the sandbox validates them. */
export function request(destination: string, ...actions: unknown[]): CallflowRequest {
  return {clientRequestId: 'req-1', callflow: [{action: 'makeCall', params: {source: SOURCE, destination}}, ...actions]} as CallflowRequest
}

export const sayBye = (text = 'Goodbye') => ({callflow: [{action: 'say', params: {text, voiceProfile: VOICE}}, {action: 'hangup'}]})
