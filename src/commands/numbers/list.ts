import {Flags} from '@oclif/core'

import type {VirtualNumber} from '../../lib/api/types.js'
import {IvrCommand} from '../../cli/base-command.js'
import {numberColumns, renderRows} from '../../lib/render/views.js'

export default class NumbersList extends IvrCommand<typeof NumbersList> {
  static override summary = 'List the virtual numbers of the sub-account.'
  static override description = 'Virtual numbers are the caller ids a callflow may use as makeCall source, and the numbers inbound calls arrive on.'
  static override examples = ['<%= config.bin %> numbers list', '<%= config.bin %> numbers list --csv > numbers.csv', '<%= config.bin %> numbers list --json']
  static override flags = {
    csv: Flags.boolean({summary: 'Print CSV instead of a table.', exclusive: ['json']}),
  }

  async run(): Promise<{totalNumbers: number; numbers: VirtualNumber[]}> {
    const api = await this.api()
    const res = await api.listNumbers()
    const numbers = res.numbers ?? []
    if (numbers.length === 0) this.status('No virtual numbers on this sub-account.')
    else this.out(renderRows(numberColumns(this.colors), numbers, {csv: this.flags.csv, colors: this.colors, width: this.tableWidth}))
    return {totalNumbers: res.totalNumbers ?? numbers.length, numbers}
  }
}
