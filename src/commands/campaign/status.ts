import {CampaignCommand, journalOnlyBaseFlags} from '../../cli/campaign-command.js'
import type {CampaignCounts} from '../../lib/campaign/journal.js'

export default class CampaignStatus extends CampaignCommand<typeof CampaignStatus> {
  static override baseFlags = journalOnlyBaseFlags
  static override summary = 'Where a campaign stands: counts per outcome, achieved rate, ETA, uncertain contacts.'
  static override description = 'Reads the campaign\'s journal; works from any terminal while it runs, and after.'
  static override examples = ['<%= config.bin %> campaign status reminders', '<%= config.bin %> campaign status reminders --json']
  static override args = {name: CampaignCommand.nameArg}

  async run(): Promise<{name: string; status: string; counts: CampaignCounts; rate: number; etaSeconds?: number; runnerPid?: number}> {
    const journal = await this.journal(this.args.name)
    const {formatStatus} = await import('../../lib/campaign/view.js')
    const status = await journal.status()
    const counts = await journal.counts()
    const running = 'runningElsewhere' in journal ? await (journal as {runningElsewhere(): Promise<{pid: number} | undefined>}).runningElsewhere() : undefined
    // The achieved rate: calls in the last minute, while calls are being made.
    const recent = counts.lastCallAt !== undefined && Date.now() - counts.lastCallAt < 60_000
    const rate = recent ? Math.round((counts.callsLastMinute / 60) * 100) / 100 : 0
    const left = counts.pending + counts.dialing
    const etaSeconds = rate > 0 && left > 0 ? Math.ceil(left / rate) : undefined
    this.out(formatStatus(journal.name, status, counts, {rate, etaSeconds, runner: running ? `run by process ${running.pid}` : undefined}))
    return {name: journal.name, status, counts, rate, ...(etaSeconds === undefined ? {} : {etaSeconds}), ...(running ? {runnerPid: running.pid} : {})}
  }
}
