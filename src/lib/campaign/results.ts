/**
 * The read API for campaign outcomes (for `campaign results`, `report --html` and anything else
 * that reads them): the definition, the counts and one record per contact, streamed in contact
 * order. Read-only: it never claims the campaign, so it works while a run is under way.
 *
 *   const r = await readCampaign({dataDir, name})        // or {dataDir, name, db: 'postgres://…'}
 *   r.definition, await r.counts()
 *   for await (const row of r.contacts()) row.outcome, row.attempts[i].status, row.attempts[i].steps
 *   await r.close()
 */
import type {CampaignCounts, ContactResult} from './journal.js'
import type {CampaignDefinition, CampaignStatus, SkippedRow} from './model.js'
import {openCampaignStore, type StoreChoice} from './stores.js'

export type {ContactResult, AttemptRecord, CampaignCounts, MenuStep} from './journal.js'

export interface CampaignReader {
  definition: CampaignDefinition
  status(): Promise<CampaignStatus>
  counts(): Promise<CampaignCounts>
  /** Every contact with its attempts (session ids, statuses, durations, menu steps), in contact order. */
  contacts(): AsyncIterable<ContactResult>
  skipped(): AsyncIterable<SkippedRow>
  close(): Promise<void>
}

export async function readCampaign(opts: StoreChoice & {name: string}): Promise<CampaignReader> {
  const store = await openCampaignStore(opts)
  try {
    const journal = await store.open(opts.name)
    return {
      definition: journal.definition,
      status: () => journal.status(),
      counts: () => journal.counts(),
      contacts: () => journal.results(),
      skipped: () => journal.skipped(),
      async close() {
        await journal.close()
        await store.close()
      },
    }
  } catch (error) {
    await store.close()
    throw error
  }
}
