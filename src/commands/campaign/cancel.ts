import {CampaignStatusCommand} from '../../cli/campaign-command.js'

export default class CampaignCancel extends CampaignStatusCommand<typeof CampaignCancel> {
  static override summary = 'Cancel a campaign: nobody more is called; calls under way finish. It cannot be run again.'
  static override examples = ['<%= config.bin %> campaign cancel reminders']
  protected readonly target = 'cancelled'
}
