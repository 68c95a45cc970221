import {Args} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../../cli/base-command.js'
import {renderSummary} from '../../lib/logs/render.js'
import {summarizeFiles, type LogSummary} from '../../lib/logs/summarize.js'
import {usageError} from '../../lib/errors.js'
import {words} from '../../lib/glossary.js'

export default class LogsSummarize extends IvrCommand<typeof LogsSummarize> {
  static override baseFlags = localBaseFlags
  static override summary = 'Sum up export CSV files: calls, answered, billable minutes and cost, by day, country and product.'
  static override description = `Reads the CSV files an export wrote (plain or gzip), streaming: a file of millions of rows needs little memory. Calls are rows (one per call leg); answered means the leg was connected; cost is TotalPriceOfCall summed per UnitPriceCurrency; days are UTC days of InitiatedAt. Several files make one summary; \`-\` reads standard input.` + words('legs')
  static override examples = [
    '<%= config.bin %> logs summarize ivr-logs-7f3a9c0e21b4-*.csv',
    '<%= config.bin %> logs summarize november.csv --json',
    'cat november-*.csv.gz | <%= config.bin %> logs summarize -',
  ]
  static override strict = false
  static override args = {
    file: Args.string({description: 'CSV files of an export (- for standard input).', required: true}),
  }

  async run(): Promise<LogSummary> {
    const {argv} = await this.parse(LogsSummarize)
    const files = argv as string[]
    if (files.length === 0) throw usageError('Give at least one CSV file.')
    if (files.includes('-') && process.stdin.isTTY) throw usageError('"-" reads the CSV from standard input, and nothing was piped in.', ['e.g. gunzip -c export.csv.gz | ivr logs summarize -'])
    const summary = await summarizeFiles(files, {stdin: process.stdin})
    for (const w of summary.warnings) this.warnUser(w)
    this.out(renderSummary(summary, this.colors))
    return summary
  }
}
