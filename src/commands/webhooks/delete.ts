import {Args, Flags} from '@oclif/core'

import type {DeleteWebhookResponse} from '../../lib/api/types.js'
import {IvrCommand} from '../../cli/base-command.js'
import {confirmOrRefuse} from '../../lib/confirm.js'
import {safeLine} from '../../lib/render/safe.js'
import {chosenWebhookType} from '../../lib/webhooks/registration.js'
import {words} from '../../lib/glossary.js'

export default class WebhooksDelete extends IvrCommand<typeof WebhooksDelete> {
  static override changesState = true
  static override summary = 'Delete the webhook of one type.'
  static override description = 'Asks for confirmation on a terminal; elsewhere --yes is required. The type is given with --type, as to `webhooks create`; the older form, the type as the first argument, still works.' + words('VCA', 'VSS', 'VCS')
  static override examples = ['<%= config.bin %> webhooks delete --type VCS', '<%= config.bin %> webhooks delete --type VCA --yes']
  static override args = {
    type: Args.string({description: 'The webhook type, as before --type existed (same as --type).', hidden: true}),
  }
  static override flags = {
    type: Flags.string({summary: 'Webhook type: VCA, VSS, VCS, VRU or VNU.'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<DeleteWebhookResponse> {
    const type = chosenWebhookType(this.flags.type, this.args.type)
    // Connect first: a missing account or sandbox is said before anything is asked.
    const api = await this.api()
    await confirmOrRefuse({yes: this.flags.yes, interactive: this.isInteractive, question: `Delete the ${type} webhook?`})
    const res = await api.deleteWebhook(type)
    this.out(`Deleted the ${type} webhook${res.url ? ` (${safeLine(res.url)})` : ''}.`)
    return res
  }
}
