import {Args} from '@oclif/core'

import {DEFAULT_BASE_URL} from '../../lib/api/defaults.js'
import {IvrCommand} from '../../cli/base-command.js'
import {maskSecret} from '../../lib/render/redact.js'
import type {SettingSource} from '../../lib/settings.js'

interface AccountView {
  account: string
  apiKey: string
  baseUrl: string
  /** Where the account id came from (kept for scripts; `sources` has every setting's). */
  source: SettingSource
  sources: {account: SettingSource; apiKey: SettingSource; baseUrl: SettingSource}
  default: boolean
  credentialsFile: string
}

const FROM: Record<keyof AccountView['sources'], Record<SettingSource, string>> = {
  account: {flag: '--account', env: 'IVR_ACCOUNT', stored: 'the stored default account', sandbox: 'the local sandbox', default: ''},
  apiKey: {flag: '', env: 'IVR_API_KEY', stored: 'stored for this account', sandbox: 'the local sandbox', default: ''},
  baseUrl: {flag: '--base-url', env: 'IVR_BASE_URL', stored: 'stored for this account', sandbox: 'the local sandbox', default: 'the default'},
}

export default class AccountsShow extends IvrCommand<typeof AccountsShow> {
  static override summary = 'Show the account a command would use (or the one named), and where each of its settings comes from.'
  static override description = 'Each setting names its true source (flag, environment variable, stored account, sandbox or default): the place to look when a CI job uses the wrong account, key or host.'
  static override examples = ['<%= config.bin %> accounts show', '<%= config.bin %> accounts show acme-eu', '<%= config.bin %> accounts show --json']
  static override args = {account: Args.string({description: 'Sub-account id (default: the one in force).'})}

  async run(): Promise<AccountView> {
    const store = this.accountStore()
    const data = await this.storedAccounts(store)
    let view: AccountView
    if (this.args.account) {
      const a = data.accounts[this.args.account]
      if (!a) throw store.unknown(this.args.account, data)
      const sources = {account: 'flag', apiKey: 'stored', baseUrl: a.baseUrl ? 'stored' : 'default'} as const
      view = {account: this.args.account, apiKey: maskSecret(a.apiKey), baseUrl: a.baseUrl ?? DEFAULT_BASE_URL, source: 'stored', sources, default: data.default === this.args.account, credentialsFile: store.file}
    } else {
      const c = await this.credentials()
      view = {account: c.account, apiKey: maskSecret(c.apiKey), baseUrl: c.baseUrl, source: c.source, sources: c.sources, default: data.default === c.account, credentialsFile: store.file}
    }
    const from = (k: keyof AccountView['sources']) => (this.args.account && k === 'account' ? 'the argument' : FROM[k][view.sources[k]])
    this.out([
      `Sub-account  ${view.account}${view.default ? ' (default)' : ''}  ${this.colors.dim(`from ${from('account')}`)}`,
      `API key      ${view.apiKey}  ${this.colors.dim(`from ${from('apiKey')}`)}`,
      `Base URL     ${view.baseUrl}  ${this.colors.dim(`from ${from('baseUrl')}`)}`,
      `Stored in    ${view.credentialsFile}`,
    ].join('\n'))
    return view
  }
}
