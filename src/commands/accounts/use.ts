import {Args} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../../cli/base-command.js'

export default class AccountsUse extends IvrCommand<typeof AccountsUse> {
  static override baseFlags = localBaseFlags
  static override summary = 'Make a stored sub-account the default.'
  static override examples = ['<%= config.bin %> accounts use acme-support']
  static override args = {account: Args.string({description: 'Sub-account id.', required: true})}

  async run(): Promise<{default: string}> {
    await this.accountStore().setDefault(this.args.account)
    this.out(`Default account is now ${this.args.account}.`)
    return {default: this.args.account}
  }
}
