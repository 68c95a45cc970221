import {CampaignStatusCommand} from '../../cli/campaign-command.js'

export default class CampaignPause extends CampaignStatusCommand<typeof CampaignPause> {
  static override summary = 'Pause a running campaign: no new calls until resumed (live ones finish).'
  static override examples = ['<%= config.bin %> campaign pause reminders']
  protected readonly target = 'paused'
}
