import {Args, Flags} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../../cli/base-command.js'
import {confirmOrRefuse} from '../../lib/confirm.js'

export default class AccountsRemove extends IvrCommand<typeof AccountsRemove> {
  static override baseFlags = localBaseFlags
  static override summary = 'Forget a stored sub-account and its key.'
  static override description = 'Asks for confirmation on a terminal; elsewhere --yes is required.'
  static override examples = ['<%= config.bin %> accounts remove acme-old --yes']
  static override args = {account: Args.string({description: 'Sub-account id.', required: true})}
  static override flags = {yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'})}

  async run(): Promise<{removed: string; default?: string}> {
    const store = this.accountStore()
    const before = await this.storedAccounts(store)
    if (!before.accounts[this.args.account]) throw store.unknown(this.args.account, before)
    await confirmOrRefuse({yes: this.flags.yes, interactive: this.isInteractive, question: `Remove the stored key of ${this.args.account}?`})
    const after = await store.remove(this.args.account)
    this.out(`Removed ${this.args.account}.${after.default ? ` Default account: ${after.default}.` : ''}`)
    return {removed: this.args.account, default: after.default}
  }
}
