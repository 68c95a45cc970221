import {CampaignCommand} from '../../lib/campaign-command.js'
import {changeStatus} from '../../lib/campaign/control.js'

export default class CampaignResume extends CampaignCommand<typeof CampaignResume> {
  static override summary = 'Resume a paused campaign.'
  static override description = 'Works from any terminal: a running `campaign run` picks it up within a second.'
  static override examples = ['<%= config.bin %> campaign resume reminders']
  static override args = {name: CampaignCommand.nameArg}

  async run(): Promise<{name: string; status: string; message: string}> {
    const result = await changeStatus(await this.journal(this.args.name), 'running')
    this.status(result.message)
    return {name: this.args.name, ...result}
  }
}
