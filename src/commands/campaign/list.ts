import {CampaignCommand, journalOnlyBaseFlags} from '../../cli/campaign-command.js'
import type {CampaignSummary} from '../../lib/campaign/journal.js'
import {renderRows} from '../../lib/render/views.js'

export default class CampaignList extends CampaignCommand<typeof CampaignList> {
  static override baseFlags = journalOnlyBaseFlags
  static override summary = 'Every campaign and its state.'
  static override examples = ['<%= config.bin %> campaign list', '<%= config.bin %> campaign list --json']

  async run(): Promise<{campaigns: CampaignSummary[]}> {
    const store = await this.campaignStore()
    const {listColumns} = await import('../../lib/campaign/view.js')
    const campaigns = await store.list()
    if (campaigns.length === 0) this.status(`No campaigns yet (${store.location}). Create one with \`ivr campaign create NAME --contacts FILE …\`.`)
    else this.out(renderRows(listColumns(), campaigns, {colors: this.colors}))
    return {campaigns}
  }
}
