import {Args, Flags, type Command} from '@oclif/core'

import {IvrCommand, localBaseFlags} from './base-command.js'
import type {CampaignJournal, CampaignStore} from '../lib/campaign/journal.js'

/** The base of `ivr campaign …`: the campaign's name and where campaigns live (the data folder, or --db). */
export const dbFlag = {
  db: Flags.string({summary: 'Keep campaigns in this PostgreSQL database (postgres://…) instead of the data folder; default: IVR_DATABASE_URL.', helpGroup: 'GLOBAL'}),
}

/**
 * The global flags of a campaign command that reads and writes only the journal (status, results,
 * list, pause, resume, cancel): campaigns are not kept per sub-account, so no --account, --sandbox or --base-url.
 */
export const journalOnlyBaseFlags = {...localBaseFlags, ...dbFlag}

export abstract class CampaignCommand<T extends typeof Command> extends IvrCommand<T> {
  static override baseFlags = {...IvrCommand.baseFlags, ...dbFlag}

  static nameArg = Args.string({description: 'The campaign\'s name.', required: true})

  private openStore?: CampaignStore
  private openJournal?: CampaignJournal

  protected async campaignStore(): Promise<CampaignStore> {
    if (this.openStore) return this.openStore
    const {openCampaignStore} = await import('../lib/campaign/stores.js')
    this.openStore = await openCampaignStore({dataDir: this.paths.dataDir, db: this.databaseUrl(), debug: (this.flags as {debug?: boolean}).debug ? this.debugLog : undefined})
    return this.openStore
  }

  /** Opens a campaign by name (closed when the command ends). */
  protected async journal(name: string): Promise<CampaignJournal> {
    this.openJournal = await (await this.campaignStore()).open(name)
    return this.openJournal
  }

  public override async finally(err: Error | undefined): Promise<unknown> {
    await this.openJournal?.close().catch(() => {})
    await this.openStore?.close().catch(() => {})
    return super.finally(err)
  }
}

/** `campaign pause|resume|cancel`: one status change asked of a campaign, run or not (lib/campaign/control.ts). */
export abstract class CampaignStatusCommand<T extends typeof Command> extends CampaignCommand<T> {
  static override baseFlags = journalOnlyBaseFlags
  static override description = 'Works from any terminal: a running `campaign run` picks it up within a second.'
  static override args = {name: CampaignCommand.nameArg}

  /** The status asked for. */
  protected abstract readonly target: 'paused' | 'running' | 'cancelled'

  async run(): Promise<{name: string; status: string; message: string}> {
    const {changeStatus} = await import('../lib/campaign/control.js')
    const {name} = this.args as {name: string}
    const result = await changeStatus(await this.journal(name), this.target)
    this.status(result.message)
    return {name, ...result}
  }
}
