import {Flags} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../../cli/base-command.js'
import {maskSecret} from '../../lib/render/redact.js'
import {renderRows} from '../../lib/render/views.js'

interface AccountRow {
  account: string
  default: boolean
  apiKey: string
  baseUrl: string
}

export default class AccountsList extends IvrCommand<typeof AccountsList> {
  static override baseFlags = localBaseFlags
  static override summary = 'List the stored sub-accounts (keys shown as their last 4 characters).'
  static override examples = ['<%= config.bin %> accounts list']
  static override flags = {
    csv: Flags.boolean({summary: 'Print CSV instead of a table.', exclusive: ['json']}),
  }

  async run(): Promise<{accounts: AccountRow[]}> {
    const data = await this.storedAccounts()
    const rows: AccountRow[] = Object.entries(data.accounts).map(([account, a]) => ({
      account, default: data.default === account, apiKey: maskSecret(a.apiKey), baseUrl: a.baseUrl ?? 'https://voice.8x8.com',
    }))
    if (rows.length === 0) this.status('No accounts stored. Add one with `ivr login`, or use --sandbox.')
    else {
      this.out(renderRows([
        {header: ' ', get: (r: AccountRow) => (r.default ? '*' : '')},
        {header: 'Sub-account', get: (r: AccountRow) => r.account},
        {header: 'API key', get: (r: AccountRow) => r.apiKey},
        {header: 'Base URL', get: (r: AccountRow) => r.baseUrl},
      ], rows, {csv: this.flags.csv, colors: this.colors, width: this.tableWidth}))
    }
    return {accounts: rows}
  }
}
