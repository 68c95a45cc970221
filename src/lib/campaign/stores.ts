/**
 * Where campaigns live: the data folder (the default), or a PostgreSQL database named by --db or
 * IVR_DATABASE_URL. The one place that chooses.
 */
import type {CampaignStore} from './journal.js'
import {LocalCampaignStore} from './local-journal.js'

export interface StoreChoice {
  dataDir: string
  /** postgres://… ; undefined: the local data folder. */
  db?: string
  debug?: (line: string) => void
}

export async function openCampaignStore(choice: StoreChoice): Promise<CampaignStore> {
  if (choice.db === undefined || choice.db === '') return new LocalCampaignStore(choice.dataDir)
  // Imported only when asked for: pg stays out of every other command's startup.
  const {PostgresCampaignStore} = await import('./postgres/journal.js')
  return PostgresCampaignStore.open(choice.db, {debug: choice.debug})
}
