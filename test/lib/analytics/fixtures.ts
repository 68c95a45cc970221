// Decision logs and session stores made the way the real writers make them, for the analytics tests.
import {decisionOf, DecisionLog, menuFingerprint, menuLabel} from '../../../src/lib/analytics/decisions.js'
import {answerCall} from '../../../src/lib/menu/answer.js'
import type {Menu} from '../../../src/lib/menu/model.js'
import {readCallEvent} from '../../../src/lib/webhooks/parse.js'
import {EventStore} from '../../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {vss} from '../webhooks/fixtures.js'

export {loadRestaurant, RESTAURANT} from '../../helpers/analytics-data.js'

/** One caller's walk: the call comes in at `start`, then each [seconds later, node, keys] is a call action ('' = nothing pressed). */
export interface Walk {
  session: string
  start: string
  steps: Array<[number, string, string]>
  /** The session summary; omitted: none arrived. */
  summary?: {status?: string; endAfter: number; transferAnswered?: boolean}
  /** An outbound call opened in the menu: no CALL_RECEIVED. */
  outbound?: boolean
}

export async function writeWalks(menu: Menu, walks: Walk[], decisionsFile: string, storeFile: string): Promise<void> {
  const log = await DecisionLog.open(decisionsFile)
  const store = await EventStore.open(storeFile)
  const label = menuLabel(menu)
  const version = menuFingerprint(menu)
  for (const w of walks) {
    const t0 = Date.parse(w.start)
    const vca = (payload: Record<string, unknown>) => readCallEvent({eventType: 'CALL_ACTION', payload: {sessionId: w.session, callDirection: w.outbound ? 'OUTBOUND' : 'INBOUND', source: '+6591234567', destination: '+6531591234', ...payload}})
    const record = (at: number, event: ReturnType<typeof readCallEvent>) => log.record(decisionOf(answerCall(menu, event), {at: new Date(at), sessionId: w.session, digits: event.digits, menu: label, version}))
    if (!w.outbound) await record(t0, vca({callStatus: 'CALL_RECEIVED'}))
    for (const [after, node, keys] of w.steps) await record(t0 + after * 1000, vca({callStatus: 'ACTION_COMPLETED', clientActionId: node, eventData: {dtmf: keys}}))
    if (w.summary) {
      const end = new Date(t0 + w.summary.endAfter * 1000).toISOString()
      const legB = w.summary.transferAnswered === undefined ? {} : {callB: {callId: `${w.session}-b`, callDirection: 'OUTBOUND', source: '+6531591234', destination: '+6562221234', callStatus: w.summary.transferAnswered ? 'COMPLETED' : 'NO_ANSWER', connectedTimestamp: w.summary.transferAnswered ? end : null, callDuration: w.summary.transferAnswered ? 30 : 0}}
      const body = vss(w.session, {startTime: w.start, endTime: end, sessionStatus: w.summary.status ?? 'COMPLETED', details: {...vss(w.session).payload.details, ...legB}})
      await store.append(makeStoredEvent(parseWebhook(body), {bodyText: JSON.stringify(body), receivedAt: new Date(end)}))
    }
  }
  await log.close()
  await store.close()
}

/** Seven callers through the restaurant menu, each showing one thing the statistics must count. */
export const SEVEN: Walk[] = [
  // books a table: main 1, reservations 1, book 2
  {session: 'sess-a', start: '2026-11-20T10:00:00Z', steps: [[5, 'main', '1'], [9, 'reservations', '1'], [12, 'book', '2']], summary: {endAfter: 15}},
  // staff, transferred, the restaurant answers
  {session: 'sess-b', start: '2026-11-20T11:00:00Z', steps: [[7, 'main', '2'], [10, 'staff', '1']], summary: {endAfter: 50, transferAnswered: true}},
  // a wrong key in main: hung up on by the menu
  {session: 'sess-c', start: '2026-11-20T12:00:00Z', steps: [[3, 'main', '7']], summary: {endAfter: 6}},
  // silence, the menu again, then opening hours
  {session: 'sess-d', start: '2026-11-21T09:00:00Z', steps: [[11, 'main', ''], [20, 'main', '3']], summary: {endAfter: 28}},
  // reservations, then hangs up while in it
  {session: 'sess-e', start: '2026-11-21T10:00:00Z', steps: [[4, 'main', '1']], summary: {endAfter: 12, status: 'COMPLETED'}},
  // in staff, summary not arrived yet
  {session: 'sess-f', start: '2026-11-21T11:00:00Z', steps: [[6, 'main', '2']]},
  // staff, transferred, nobody answers
  {session: 'sess-g', start: '2026-11-22T08:00:00Z', steps: [[5, 'main', '2'], [9, 'staff', '1']], summary: {endAfter: 40, transferAnswered: false}},
]
