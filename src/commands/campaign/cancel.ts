import {CampaignCommand} from '../../lib/campaign-command.js'
import {changeStatus} from '../../lib/campaign/control.js'

export default class CampaignCancel extends CampaignCommand<typeof CampaignCancel> {
  static override summary = 'Cancel a campaign: nobody more is called; calls under way finish. It cannot be run again.'
  static override description = 'Works from any terminal: a running `campaign run` picks it up within a second.'
  static override examples = ['<%= config.bin %> campaign cancel reminders']
  static override args = {name: CampaignCommand.nameArg}

  async run(): Promise<{name: string; status: string; message: string}> {
    const result = await changeStatus(await this.journal(this.args.name), 'cancelled')
    this.status(result.message)
    return {name: this.args.name, ...result}
  }
}
