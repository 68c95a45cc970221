import {CampaignCommand} from '../../lib/campaign-command.js'
import {changeStatus} from '../../lib/campaign/control.js'

export default class CampaignPause extends CampaignCommand<typeof CampaignPause> {
  static override summary = 'Pause a running campaign: no new calls until resumed (live ones finish).'
  static override description = 'Works from any terminal: a running `campaign run` picks it up within a second.'
  static override examples = ['<%= config.bin %> campaign pause reminders']
  static override args = {name: CampaignCommand.nameArg}

  async run(): Promise<{name: string; status: string; message: string}> {
    const result = await changeStatus(await this.journal(this.args.name), 'paused')
    this.status(result.message)
    return {name: this.args.name, ...result}
  }
}
