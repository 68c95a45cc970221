import {Args, Flags} from '@oclif/core'

import {menuStatsFor, type MenuStats} from '../../lib/analytics/menu-stats.js'
import {menuStatsRows, renderMenuStats, STATS_CSV_COLUMNS} from '../../lib/analytics/render.js'
import {IvrCommand, localAccountBaseFlags} from '../../cli/base-command.js'
import {usageError} from '../../lib/errors.js'
import {checkMenuFile} from '../../lib/menu/files.js'
import {charsetOf} from '../../lib/render/chart.js'
import {renderCsv} from '../../lib/render/csv.js'

export default class MenuStatsCommand extends IvrCommand<typeof MenuStatsCommand> {
  static override summary = 'Where callers go in a menu and where they give up: the decision log joined with the session summaries.'
  static override description = `Per node: calls that entered it, each choice's share of the answers given there, invalid and no-input rates, callers who hung up while in it, transfers and whether the far end answered, and the median time spent there. Then the most common paths through the menu and how they ended.

Decisions come from the log \`ivr serve\` keeps (docs/analytics.md); summaries from the store \`ivr sessions tail\` fills. A session whose summary has not arrived is counted apart: it may still be running. --since and --until select sessions by their first decision. Bars are Unicode blocks where the locale is UTF-8, # otherwise; none with --json or --csv.`
  static override examples = [
    '<%= config.bin %> menu stats examples/menus/restaurant.yaml --since 1w',
    '<%= config.bin %> menu stats menu.yaml --version current --json',
    '<%= config.bin %> menu stats menu.yaml --since 2026-11-01 --until 2026-12-01 --csv > november.csv',
  ]
  static override args = {
    menu: Args.string({description: 'The menu file (YAML or JSON): its name selects the decisions, its nodes and keys are listed even when nobody used them.', required: true}),
  }
  static override baseFlags = localAccountBaseFlags
  static override flags = {
    since: Flags.string({summary: 'Only sessions that started since: a span (30m, 1h, 2d, 1w), a day (2026-11-01) or an ISO date-time.'}),
    until: Flags.string({summary: 'Only sessions that started before: a span back from now, a day or an ISO date-time.'}),
    version: Flags.string({summary: 'Only decisions of this menu version: a fingerprint (or its start) from the log, or `current` for the file as it is now.'}),
    top: Flags.integer({summary: 'How many paths to show.', default: 10, min: 1}),
    csv: Flags.boolean({summary: 'Print CSV (one row per node and measure) instead of tables.', exclusive: ['json']}),
    decisions: Flags.string({summary: "Decision log (default: the sub-account's in the data folder).", env: 'IVR_DECISIONS'}),
    store: Flags.string({summary: "Session store (default: the sub-account's in the data folder).", env: 'IVR_SESSIONS_STORE'}),
  }

  async run(): Promise<MenuStats & {decisionsFile: string; store: string}> {
    const f = this.flags
    const loaded = await checkMenuFile(this.args.menu, {warnUnchecked: false})
    if (!loaded.menu) throw usageError(`${this.args.menu} cannot be read as a menu: ${loaded.problems[0]?.message ?? 'unknown problem'}.`, [`Run \`ivr menu check ${this.args.menu}\`.`])
    const stats = await menuStatsFor({
      menu: loaded.menu, file: this.args.menu, dataDir: this.paths.dataDir, account: await this.accountInForce(),
      decisions: f.decisions, store: f.store, since: f.since, until: f.until, version: f.version, topPaths: f.top, warn: (m) => this.warnUser(m),
    })
    if (f.csv) this.out(renderCsv(STATS_CSV_COLUMNS, menuStatsRows(stats)))
    else this.out(renderMenuStats(stats, {colors: this.colors, charset: charsetOf(process.env)}))
    if (stats.sessions === 0) this.status(`No decisions of "${stats.menu}" ${f.since || f.until || f.version ? 'match' : 'recorded yet'} in ${stats.decisionsFile}. \`ivr serve ${this.args.menu}\` records them.`)
    return stats
  }
}
