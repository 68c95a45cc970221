/** Finished sessions made up in bulk (POST /sandbox/subaccounts/{sub}/sessions/seed), so exports and listings have data. */
import {randomUUID} from 'node:crypto'

import type {SessionSummaryPayload} from '../webhooks/payloads.js'
import type {CallEngine} from './engine.js'

const MIX: Array<{status: string; leg: string; connected: boolean; error?: {errorCode: number; errorMsg: string}}> = [
  {status: 'COMPLETED', leg: 'COMPLETED', connected: true},
  {status: 'COMPLETED', leg: 'COMPLETED', connected: true},
  {status: 'COMPLETED', leg: 'COMPLETED', connected: true},
  {status: 'COMPLETED', leg: 'COMPLETED', connected: true},
  {status: 'COMPLETED', leg: 'COMPLETED', connected: true},
  {status: 'BUSY', leg: 'BUSY', connected: false},
  {status: 'NO_ANSWER', leg: 'NO_ANSWER', connected: false},
  {status: 'COMPLETED', leg: 'COMPLETED', connected: true},
  {status: 'FAILED', leg: 'FAILED', connected: false},
  {status: 'ERROR', leg: 'COMPLETED', connected: true, error: {errorCode: -2003, errorMsg: 'Callflow invalid: VCA webhook answered HTTP 500'}},
]

/**
 * Adds `count` finished sessions with start times spread evenly over [from, to]; returns how many.
 * `sources` (caller ids, taken in turn) are recorded as given, unchecked: what a spoofed caller id
 * puts in the platform's records and log exports (tests of what the tool does with it).
 */
export function seedSessions(engine: CallEngine, subAccountId: string, opts: {count: number; from: number; to: number; sources?: readonly string[]}): number {
  const step = (opts.to - opts.from) / opts.count
  for (let i = 0; i < opts.count; i++) {
    const kind = MIX[i % MIX.length]
    const start = Math.round(opts.from + (i + 0.5) * step)
    const connected = start + 4000
    const duration = kind.connected ? 20 + ((i * 7) % 100) : 0
    const end = kind.connected ? connected + duration * 1000 : start + 2000
    const sessionId = randomUUID()
    const destination = `+659${String(1_000_000 + ((i * 7919) % 8_999_999)).padStart(7, '0')}`
    const source = opts.sources?.length ? opts.sources[i % opts.sources.length] : '+6531591234'
    const summary: SessionSummaryPayload = {
      sessionId, subAccountId, sessionStatus: kind.status, startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString(),
      lastAction: kind.connected ? 'HANGUP' : 'MAKE_CALL', callCount: 1, clientRequestId: null, errorDetails: kind.error ?? null,
      details: {callA: {
        callId: randomUUID(), callDirection: 'OUTBOUND', callType: 'PSTN',
        initiatedTimestamp: new Date(start).toISOString(), connectedTimestamp: kind.connected ? new Date(connected).toISOString() : null, disconnectedTimestamp: new Date(end).toISOString(),
        source, destination, sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG',
        sourceRefId: 'SBX-SG-0001', destinationRefId: null, callStatus: kind.leg, callDuration: duration,
        callQuality: kind.connected ? {mos: 4.2, packetLossRate: 0.1, jitter: 8} : null,
      }},
    }
    engine.addFinished({sessionId, subAccountId, direction: 'OUTBOUND', source, destination, state: 'ended', sessionStatus: kind.status, startedAt: summary.startTime, events: [], summary})
  }
  return opts.count
}
