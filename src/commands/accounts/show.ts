import {Args} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {maskSecret} from '../../lib/render/redact.js'

interface AccountView {
  account: string
  apiKey: string
  baseUrl: string
  source: string
  default: boolean
  credentialsFile: string
}

export default class AccountsShow extends IvrCommand<typeof AccountsShow> {
  static override summary = 'Show the account a command would use (or the one named), and where its settings come from.'
  static override examples = ['<%= config.bin %> accounts show', '<%= config.bin %> accounts show acme-eu']
  static override args = {account: Args.string({description: 'Sub-account id (default: the one in force).'})}

  async run(): Promise<AccountView> {
    const store = this.accountStore()
    const data = await this.storedAccounts(store)
    let view: AccountView
    if (this.args.account) {
      const a = data.accounts[this.args.account]
      if (!a) throw store.unknown(this.args.account, data)
      view = {account: this.args.account, apiKey: maskSecret(a.apiKey), baseUrl: a.baseUrl ?? 'https://voice.8x8.com', source: 'stored', default: data.default === this.args.account, credentialsFile: store.file}
    } else {
      const c = await this.credentials()
      view = {account: c.account, apiKey: maskSecret(c.apiKey), baseUrl: c.baseUrl, source: c.source, default: data.default === c.account, credentialsFile: store.file}
    }
    this.out([
      `Sub-account  ${view.account}${view.default ? ' (default)' : ''}`,
      `API key      ${view.apiKey}`,
      `Base URL     ${view.baseUrl}`,
      `From         ${view.source === 'flag' ? '--account flag' : view.source === 'env' ? 'IVR_ACCOUNT' : view.source}`,
      `Stored in    ${view.credentialsFile}`,
    ].join('\n'))
    return view
  }
}
