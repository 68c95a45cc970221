/** Log export jobs: rows built from the sandbox's own sessions, in the platform's CSV columns. */
import {randomUUID} from 'node:crypto'

import {countryName} from '../callflow/phone.js'
import {quoteCsvField} from '../render/csv.js'
import type {CallLeg, SessionSummaryPayload} from '../webhooks/payloads.js'
import type {ExportBehaviour, ExportJob} from './state.js'

export const EXPORT_COLUMNS = [
  'SessionId', 'CallId', 'AccountId', 'SubAccountId', 'Direction',
  'SourceCountryCode', 'SourceCountry', 'SourceOperator', 'SourceMCC', 'SourceMNC', 'SourceEndpoint',
  'DestinationCountryCode', 'DestinationCountry', 'DestinationOperator', 'DestinationMCC', 'DestinationMNC', 'DestinationEndpoint',
  'InitiatedAt', 'ConnectedAt', 'DisconnectedAt', 'DurationInSec', 'Product', 'BillingUnit', 'BillingIncrement',
  'BillableDurationInSec', 'UnitPrice', 'UnitPriceCurrency', 'TotalPriceOfCall', 'CallType', 'SipStatus',
  'SessionStatus', 'CallStatus', 'TTSLength', 'MOS', 'Content',
] as const

const CALLING_CODES: Record<string, {code: string; mcc: string; operator: string}> = {
  SG: {code: '65', mcc: '525', operator: 'Singtel'},
  US: {code: '1', mcc: '310', operator: 'AT&T'},
  GB: {code: '44', mcc: '234', operator: 'BT'},
}

const SIP: Record<string, number> = {COMPLETED: 200, ANSWERED: 200, BUSY: 486, NO_ANSWER: 480, FAILED: 503, CANCELED: 487}
const UNIT_PRICE = 0.02

function endpointInfo(country: string) {
  return CALLING_CODES[country] ?? {code: '', mcc: '', operator: 'Sandbox Telecom'}
}

function legRow(s: SessionSummaryPayload, leg: CallLeg): string {
  const src = endpointInfo(leg.sourceCountryCode)
  const dst = endpointInfo(leg.destinationCountryCode)
  const billable = leg.callDuration > 0 ? Math.ceil(leg.callDuration / 60) * 60 : 0
  const row = [
    s.sessionId, leg.callId, 'sandbox-account', s.subAccountId, leg.callDirection,
    src.code, countryName(leg.sourceCountryCode) ?? '', src.operator, src.mcc, '01', leg.source,
    dst.code, countryName(leg.destinationCountryCode) ?? '', dst.operator, dst.mcc, '01', leg.destination,
    leg.initiatedTimestamp, leg.connectedTimestamp ?? '', leg.disconnectedTimestamp, leg.callDuration, 'Voice IVR', 'minute', '60+60',
    billable, UNIT_PRICE, 'USD', Math.round((billable / 60) * UNIT_PRICE * 10_000) / 10_000, leg.callType, SIP[leg.callStatus] ?? 200,
    s.sessionStatus, leg.callStatus, '', leg.callQuality?.mos ?? '', '',
  ]
  // As the platform writes its files: RFC 4180 quoting and nothing else (no formula guard: the
  // tool guards what it saves, logs/guard.ts, so the sandbox must not hide what it guards against).
  return row.map((v) => quoteCsvField(String(v))).join(',')
}

/** Reads the platform's date forms: yyyy-MM-dd, yyyy-MM-ddTHH:mm:ss (UTC), with Z or an offset. */
export function parseExportDate(value: string, endOfDay: boolean): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const t = Date.parse(`${value}T00:00:00Z`)
    return Number.isNaN(t) ? undefined : endOfDay ? t + 86_400_000 - 1 : t
  }
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value)
  if (!m) return undefined
  const t = Date.parse(m[3] ? value : `${value}Z`)
  return Number.isNaN(t) ? undefined : t
}

export function newExportJob(subAccountId: string, req: {from: number; to: number; limit: number}, behaviour: ExportBehaviour, now: Date): ExportJob {
  return {
    jobId: randomUUID(), subAccountId, createdAt: now.toISOString(),
    from: new Date(req.from).toISOString(), to: new Date(req.to).toISOString(), limit: req.limit,
    behaviour: {...behaviour}, polls: 0, status: 'queued',
  }
}

/** One status poll: the job moves a step (queued, running, then its outcome). */
export function pollExportJob(job: ExportJob, summaries: () => SessionSummaryPayload[], now: Date): ExportJob {
  if (job.status !== 'queued' && job.status !== 'running') return job
  job.polls++
  const waiting = job.behaviour.polls
  if (job.polls <= waiting) {
    job.status = job.polls === 1 && waiting > 1 ? 'queued' : 'running'
    return job
  }
  const forced = job.behaviour.outcome
  if (forced === 'failed' || forced === 'error') {
    job.status = forced
    return job
  }
  const from = Date.parse(job.from)
  const to = Date.parse(job.to)
  const rows: string[] = []
  const all = summaries().sort((a, b) => a.startTime.localeCompare(b.startTime))
  outer: for (const s of all) {
    for (const leg of [s.details.callA, s.details.callB]) {
      if (!leg) continue
      const t = Date.parse(leg.initiatedTimestamp)
      if (t < from || t > to) continue
      rows.push(legRow(s, leg))
      if (job.limit > 0 && rows.length >= job.limit) break outer
    }
  }
  if (forced === 'empty' || rows.length === 0) {
    job.status = 'empty'
    return job
  }
  const header = EXPORT_COLUMNS.join(',')
  const per = Math.max(1, job.behaviour.rowsPerFile)
  job.files = []
  for (let i = 0; i < rows.length; i += per) job.files.push(`${header}\n${rows.slice(i, i + per).join('\n')}\n`)
  job.status = 'succeeded'
  job.expires = new Date(now.getTime() + 30 * 86_400_000).toISOString()
  return job
}
