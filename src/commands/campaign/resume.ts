import {CampaignStatusCommand} from '../../cli/campaign-command.js'

export default class CampaignResume extends CampaignStatusCommand<typeof CampaignResume> {
  static override summary = 'Resume a paused campaign.'
  static override examples = ['<%= config.bin %> campaign resume reminders']
  protected readonly target = 'running'
}
