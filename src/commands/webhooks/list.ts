import {Flags} from '@oclif/core'

import type {Webhook} from '../../lib/api/types.js'
import {IvrCommand} from '../../cli/base-command.js'
import {renderRows, webhookColumns} from '../../lib/render/views.js'
import {words} from '../../lib/glossary.js'

export default class WebhooksList extends IvrCommand<typeof WebhooksList> {
  static override summary = 'List the webhooks registered for the sub-account.'
  static override description = 'One webhook per type: VCA (call actions: the IVR answers), VSS (session summaries), VCS (call status), VRU (recording uploaded), VNU (virtual number updated). Auth headers are never shown, only whether one is set.' + words('VCA', 'VSS', 'VCS')
  static override examples = ['<%= config.bin %> webhooks list', '<%= config.bin %> webhooks list --json']
  static override flags = {
    csv: Flags.boolean({summary: 'Print CSV instead of a table.', exclusive: ['json']}),
  }

  async run(): Promise<{webhooks: Webhook[]}> {
    const api = await this.api()
    const res = await api.listWebhooks()
    const webhooks = res.webhooks ?? []
    if (webhooks.length === 0) this.status('No webhooks registered. Add one with `ivr webhooks create --type VCA --url URL`.')
    else this.out(renderRows(webhookColumns(this.colors), webhooks, {csv: this.flags.csv, colors: this.colors, width: this.tableWidth}))
    return {webhooks}
  }
}
