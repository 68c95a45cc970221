// Synthetic but realistic IVR traffic through the restaurant menu, written by the real writers'
// line formats: the decision log (decisionOf over answerCall) and the session store (storeLine of
// makeStoredEvent). Deterministic for a seed. Used by the report tests, the browser test and the bench.
import {createWriteStream, promises as fs} from 'node:fs'
import path from 'node:path'

import {decisionOf, menuFingerprint, menuLabel} from '../../src/lib/analytics/decisions.js'
import {answerCall} from '../../src/lib/menu/answer.js'
import type {Menu} from '../../src/lib/menu/model.js'
import {parseMenuText} from '../../src/lib/menu/model.js'
import {parseWebhook, readCallEvent} from '../../src/lib/webhooks/parse.js'
import {storeLine} from '../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../src/lib/sessions/stored-event.js'
import {projectRoot} from './run.js'

export const RESTAURANT = path.join(projectRoot, 'examples', 'menus', 'restaurant.yaml')
export const loadRestaurant = async (): Promise<Menu> => parseMenuText(await fs.readFile(RESTAURANT, 'utf8'), RESTAURANT).menu!

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function pick<T extends string>(rand: () => number, weights: Record<T, number>): T {
  const total = Object.values<number>(weights).reduce((a, b) => a + b, 0)
  let r = rand() * total
  for (const [k, w] of Object.entries<number>(weights)) {
    r -= w
    if (r < 0) return k as T
  }
  return Object.keys(weights)[0] as T
}

/** What callers press in each node ('' nothing, 'x' a wrong key, 'hang' hangs up there). */
const BEHAVIOUR: Record<string, Record<string, number>> = {
  main: {'1': 48, '2': 24, '3': 16, x: 4, '': 3, hang: 5},
  reservations: {'1': 62, '2': 25, '3': 5, '': 3, hang: 5},
  book: {'1': 55, '2': 38, x: 2, hang: 5},
  change: {'1': 40, '2': 52, hang: 8},
  staff: {'1': 80, '2': 12, hang: 8},
}
/** Calls per hour of the day, relative: a restaurant's phone. */
const HOURLY = [1, 0, 0, 0, 0, 0, 1, 2, 4, 7, 10, 14, 16, 12, 8, 7, 9, 13, 15, 11, 7, 4, 2, 1]

export interface TrafficOptions {
  sessions: number
  /** First day (UTC midnight), and how many days the calls spread over. */
  start: string
  days: number
  seed?: number
  decisionsFile: string
  storeFile: string
  /** Also a call-record export CSV (as `ivr logs export` writes), one row per leg, priced in SGD. */
  logsFile?: string
}

const LOG_HEADER = 'SessionId,CallId,DestinationCountryCode,DestinationCountry,InitiatedAt,ConnectedAt,DurationInSec,Product,BillableDurationInSec,UnitPrice,UnitPriceCurrency,TotalPriceOfCall,SessionStatus,CallStatus,Content\n'

/** Writes `sessions` calls' decisions and summaries; returns how many decision lines were written. */
export async function writeTraffic(menu: Menu, opts: TrafficOptions): Promise<{decisions: number; summaries: number}> {
  const rand = prng(opts.seed ?? 7)
  const label = menuLabel(menu)
  const version = menuFingerprint(menu)
  await fs.mkdir(path.dirname(opts.decisionsFile), {recursive: true})
  await fs.mkdir(path.dirname(opts.storeFile), {recursive: true})
  const dOut = createWriteStream(opts.decisionsFile)
  const sOut = createWriteStream(opts.storeFile)
  const lOut = opts.logsFile ? createWriteStream(opts.logsFile) : undefined
  lOut?.write(LOG_HEADER)
  const hourTotal = HOURLY.reduce((a, b) => a + b, 0)
  const day0 = Date.parse(opts.start)
  // Sessions in time order, as the writers would have appended them.
  const starts = Array.from({length: opts.sessions}, () => {
    const day = Math.floor(rand() * opts.days)
    let r = rand() * hourTotal
    let hour = 0
    while (r >= HOURLY[hour]) r -= HOURLY[hour++]
    return day0 + day * 86_400_000 + hour * 3_600_000 + Math.floor(rand() * 3_600_000)
  }).sort((a, b) => a - b)
  let decisions = 0
  const answers = new Map<string, {answer: ReturnType<typeof answerCall>; line: string}>()
  let dBuf: string[] = []
  let sBuf: Buffer[] = []
  const flush = async () => {
    if (!dOut.write(dBuf.join(''))) await new Promise<void>((r) => dOut.once('drain', () => r()))
    if (!sOut.write(Buffer.concat(sBuf))) await new Promise<void>((r) => sOut.once('drain', () => r()))
    dBuf = []
    sBuf = []
  }
  for (let i = 0; i < starts.length; i++) {
    const session = `${(opts.seed ?? 7).toString(16)}${i.toString(16).padStart(8, '0')}-5a1e-4c0d-9e11-${(i * 7919).toString(16).padStart(12, '0').slice(-12)}`
    let t = starts[i]
    const caller = `+65${String(80_000_000 + Math.floor(rand() * 9_999_999))}`
    const vca = (payload: Record<string, unknown>) => readCallEvent({eventType: 'CALL_ACTION', payload: {sessionId: session, callDirection: 'INBOUND', source: caller, destination: '+6531591234', ...payload}})
    const record = (event: ReturnType<typeof readCallEvent>) => {
      // The menu answers the same keys in the same node the same way: each answer is worked out once.
      const key = `${event.callStatus}|${event.clientActionId ?? ''}|${event.digits ?? ''}`
      let known = answers.get(key)
      if (!known) {
        const answer = answerCall(menu, event)
        known = {answer, line: JSON.stringify(decisionOf(answer, {at: new Date(0), sessionId: 'S', digits: event.digits, menu: label, version})).slice('{"time":"1970-01-01T00:00:00.000Z","session":"S"'.length)}
        answers.set(key, known)
      }
      dBuf.push(`{"time":"${new Date(t).toISOString()}","session":"${session}"${known.line}\n`)
      decisions++
      return known.answer
    }
    let answer = record(vca({callStatus: 'CALL_RECEIVED'}))
    let transfer: boolean | undefined
    for (let step = 0; step < 12 && answer.resolution.outcome.kind === 'menu'; step++) {
      const node = answer.resolution.outcome.node
      const press = pick(rand, (BEHAVIOUR[node] ?? {'1': 1}) as Record<string, number>)
      t += 3000 + Math.floor(rand() * 9000)
      if (press === 'hang') break
      answer = record(vca({callStatus: 'ACTION_COMPLETED', clientActionId: node, eventData: {dtmf: press === 'x' ? '9' : press}}))
      if (answer.resolution.outcome.kind === 'transfer') transfer = rand() < 0.82
    }
    t += 2000 + Math.floor(rand() * 4000)
    const talk = transfer ? 30 + Math.floor(rand() * 240) : 0
    const end = t + talk * 1000
    const status = rand() < 0.015 ? 'ERROR' : 'COMPLETED'
    const mos = Math.max(1, Math.min(4.5, 4.25 + (rand() + rand() + rand() - 1.5) * 0.6 - (rand() < 0.05 ? 1.2 : 0)))
    const iso = (ms: number) => new Date(ms).toISOString()
    const legA = {
      callId: `${session}-a`, callDirection: 'INBOUND', callType: 'PSTN', initiatedTimestamp: iso(starts[i]), connectedTimestamp: iso(starts[i] + 400), disconnectedTimestamp: iso(end),
      source: caller, destination: '+6531591234', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG',
      callStatus: 'COMPLETED', callDuration: Math.round((end - starts[i]) / 1000), callQuality: {mos: Math.round(mos * 10) / 10, packetLossRate: 0.1, jitter: 4},
    }
    const legB = transfer === undefined ? {} : {callB: {
      callId: `${session}-b`, callDirection: 'OUTBOUND', callType: 'PSTN', initiatedTimestamp: iso(t), connectedTimestamp: transfer ? iso(t + 5000) : null, disconnectedTimestamp: iso(end),
      source: '+6531591234', destination: '+6562221234', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG',
      callStatus: transfer ? 'COMPLETED' : 'NO_ANSWER', callDuration: talk,
    }}
    const body = {
      namespace: 'VOICE', eventType: 'SESSION_SUMMARY', description: 'Voice session summary',
      payload: {
        sessionId: session, subAccountId: 'acme', sessionStatus: status, startTime: iso(starts[i]), endTime: iso(end), lastAction: transfer === undefined ? 'HANGUP' : 'MAKE_CALL', callCount: transfer === undefined ? 1 : 2,
        errorDetails: status === 'ERROR' ? {errorCode: -2003, errorMsg: 'VCA webhook timed out'} : null, details: {callA: legA, ...legB},
      },
    }
    if (lOut) {
      // Inbound minutes at 0.0120 SGD a started minute; the transfer leg at 0.0350.
      const row = (leg: {callId: string; initiatedTimestamp: string; connectedTimestamp: string | null; callDuration: number; callStatus: string}, price: number) => {
        const billable = leg.connectedTimestamp ? leg.callDuration : 0
        return [session, leg.callId, 'SG', 'Singapore', leg.initiatedTimestamp, leg.connectedTimestamp ?? '', leg.callDuration, 'Voice', billable, price.toFixed(4), 'SGD', (Math.ceil(billable / 60) * price).toFixed(4), status, leg.callStatus, 'IVR'].join(',')
      }
      lOut.write(`${row(legA, 0.012)}\n${legB.callB ? `${row(legB.callB, 0.035)}\n` : ''}`)
    }
    const text = JSON.stringify(body)
    sBuf.push(storeLine(makeStoredEvent(parseWebhook(body), {bodyText: text, receivedAt: new Date(end + 800), path: '/vss'}), Buffer.from(text)))
    if (dBuf.length >= 4096) await flush()
  }
  await flush()
  await Promise.all([dOut, sOut, ...(lOut ? [lOut] : [])].map((out) => new Promise<void>((r) => out.end(() => r()))))
  return {decisions, summaries: starts.length}
}
