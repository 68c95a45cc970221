import {Flags} from '@oclif/core'

import {CampaignCommand, journalOnlyBaseFlags} from '../../cli/campaign-command.js'
import type {ResultRow} from '../../lib/campaign/view.js'
import {csvLine} from '../../lib/render/csv.js'
import {renderRows} from '../../lib/render/views.js'

export default class CampaignResults extends CampaignCommand<typeof CampaignResults> {
  static override baseFlags = journalOnlyBaseFlags
  static override summary = 'One row per contact: its columns, final outcome, attempts, digits and menu path, session ids, duration.'
  static override description = 'Outcomes are joined from the session summaries and the menu\'s call actions the run received. --csv streams (any size); spreadsheet formulas in cells are defused.'
  static override examples = ['<%= config.bin %> campaign results reminders', '<%= config.bin %> campaign results reminders --csv > outcomes.csv']
  static override args = {name: CampaignCommand.nameArg}
  static override flags = {
    csv: Flags.boolean({summary: 'Print CSV instead of a table.', exclusive: ['json']}),
    outcome: Flags.string({summary: 'Only contacts with these outcomes (comma separated), e.g. UNCERTAIN,NO_ANSWER.'}),
  }

  async run(): Promise<{name: string; results: ResultRow[]} | undefined> {
    const journal = await this.journal(this.args.name)
    const {outcomeFilter, resultColumns, resultRow} = await import('../../lib/campaign/view.js')
    const wanted = outcomeFilter(this.flags.outcome)
    const columns = resultColumns(journal.definition.columns, this.colors, {csv: this.flags.csv})
    const rows: ResultRow[] = []
    if (this.flags.csv) {
      const write = (line: string) => new Promise<void>((resolve) => (process.stdout.write(`${line}\n`) ? resolve() : process.stdout.once('drain', resolve)))
      await write(csvLine(columns.map((c) => c.header)))
      for await (const r of journal.results()) {
        if (wanted && !wanted.has(r.outcome)) continue
        const row = resultRow(r)
        await write(csvLine(columns.map((c) => c.get(row))))
      }
      return undefined
    }
    for await (const r of journal.results()) if (!wanted || wanted.has(r.outcome)) rows.push(resultRow(r))
    if (!this.jsonEnabled()) this.out(renderRows(columns, rows, {colors: this.colors, width: this.tableWidth}))
    return {name: journal.name, results: rows}
  }
}
