/**
 * `campaign reconcile`: settles uncertain contacts (and calls that never sent a summary in time)
 * from the session summaries that carry their clientRequestId (campaign/contact/attempt), found in
 * a session store (`sessions tail` fills one). A contact with no such summary stays uncertain: the
 * platform may have placed the call or not, and only a summary can say.
 */
import {readSummary} from '../webhooks/parse.js'
import {readEvents, SUMMARIES_ONLY} from '../sessions/store.js'
import type {CampaignJournal} from './journal.js'

export interface ReconcileResult {
  settled: Array<{contactId: number; number: string; attempt: number; sessionId: string; status: string}>
  /** Still unsettled: no summary carries their request id. */
  unsettled: Array<{contactId: number; number: string; attempt: number; clientRequestId: string; outcome: string}>
}

export async function reconcile(journal: CampaignJournal, storeFiles: readonly string[], warn?: (m: string) => void): Promise<ReconcileResult> {
  const open = new Map((await journal.uncertain()).map((u) => [u.clientRequestId, u]))
  const settled: ReconcileResult['settled'] = []
  for (const file of storeFiles) {
    if (open.size === 0) break
    for await (const ev of readEvents(file, {prefilter: SUMMARIES_ONLY, warn})) {
      const s = readSummary(ev.body)
      const u = s.clientRequestId ? open.get(s.clientRequestId) : undefined
      if (!u || !s.sessionId || !s.sessionStatus) continue
      const ok = await journal.settle({contactId: u.contactId, attempt: u.attempt, outcome: {
        sessionId: s.sessionId, status: s.sessionStatus, ...(s.legs[0]?.callDuration === undefined ? {} : {durationSec: s.legs[0].callDuration}), legs: s.legs.length || undefined,
      }})
      if (ok) settled.push({contactId: u.contactId, number: u.number, attempt: u.attempt, sessionId: s.sessionId, status: s.sessionStatus})
      open.delete(s.clientRequestId!)
    }
  }
  return {settled, unsettled: [...open.values()].map((u) => ({contactId: u.contactId, number: u.number, attempt: u.attempt, clientRequestId: u.clientRequestId, outcome: u.outcome}))}
}
