import {Flags} from '@oclif/core'

import {CampaignCommand} from '../../cli/campaign-command.js'
import type {ReconcileResult} from '../../lib/campaign/reconcile.js'
import {chooseStore} from '../../lib/sessions/location.js'

export default class CampaignReconcile extends CampaignCommand<typeof CampaignReconcile> {
  static override summary = 'Settle uncertain contacts from the session summaries that carry their request id.'
  static override description = `A contact is uncertain when its request may have placed a call without saying so (a timeout after sending, a reset, a 5xx, a run killed mid-request). Every request carries clientRequestId = campaign/contact/attempt, and so does its session summary: this finds them in the session store (the one \`ivr sessions tail\` fills, or --store FILE, repeatable) and records their outcome. What stays uncertain had no summary: the call may or may not exist; \`campaign run --retry-uncertain\` calls those again, at that risk.`
  static override examples = ['<%= config.bin %> campaign reconcile reminders', '<%= config.bin %> campaign reconcile reminders --store other-machine.ndjson']
  static override args = {name: CampaignCommand.nameArg}
  static override flags = {
    store: Flags.string({summary: 'A session store file to search (default: the sub-account\'s).', multiple: true}),
  }

  async run(): Promise<ReconcileResult> {
    const journal = await this.journal(this.args.name)
    const {reconcile} = await import('../../lib/campaign/reconcile.js')
    const account = this.flags.account ?? journal.definition.account ?? this.env.IVR_ACCOUNT ?? (this.flags.sandbox ? (await this.credentials()).account : (await this.accountStore().read()).default)
    const files = this.flags.store ?? [(await chooseStore({dataDir: this.paths.dataDir, account})).file]
    const result = await reconcile(journal, files, (m) => this.warnUser(m))
    for (const s of result.settled) this.out(`settled  contact ${s.contactId} ${s.number}: ${s.status} (session ${s.sessionId})`)
    for (const u of result.unsettled) this.out(`unsettled contact ${u.contactId} ${u.number}: no summary carries ${u.clientRequestId}`)
    this.status(`${result.settled.length} settled, ${result.unsettled.length} still uncertain (searched ${files.join(', ')}).`)
    return result
  }
}
