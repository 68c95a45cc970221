import http from 'node:http'

import type {SessionSummaryPayload, VssWebhook} from '../../../src/lib/webhooks/payloads.js'

/** A tidy VSS as the docs describe it; `over` replaces payload fields. */
export function vss(sessionId: string, over: Record<string, unknown> = {}): VssWebhook {
  return {
    namespace: 'VOICE',
    eventType: 'SESSION_SUMMARY',
    description: 'Voice session summary',
    payload: {
      sessionId,
      subAccountId: 'acme',
      sessionStatus: 'COMPLETED',
      startTime: '2026-11-20T10:00:00.000Z',
      endTime: '2026-11-20T10:01:30.000Z',
      lastAction: 'HANGUP',
      callCount: 1,
      errorDetails: null,
      details: {
        callA: {
          callId: `${sessionId}-a`, callDirection: 'OUTBOUND', callType: 'PSTN',
          initiatedTimestamp: '2026-11-20T10:00:00.000Z', connectedTimestamp: '2026-11-20T10:00:05.000Z', disconnectedTimestamp: '2026-11-20T10:01:30.000Z',
          source: '+6531591234', destination: '+6591238965', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN',
          sourceCountryCode: 'SG', destinationCountryCode: 'SG', callStatus: 'COMPLETED', callDuration: 85,
          callQuality: {mos: 4.4, packetLossRate: 0.1, jitter: 4},
        },
      },
      ...over,
    } as SessionSummaryPayload,
  }
}

export interface Posted {
  status: number
  body: string
}

/** One real HTTP POST (a fresh connection each time unless an agent is given). */
export function post(url: string, body: string | Buffer, headers: Record<string, string> = {}, agent?: http.Agent): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? Buffer.from(body) : body
    const req = http.request(url, {method: 'POST', agent, headers: {'content-type': 'application/json', 'content-length': String(data.length), ...headers}}, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text}))
    })
    req.on('error', reject)
    req.end(data)
  })
}
