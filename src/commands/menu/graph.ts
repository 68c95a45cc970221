import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {IvrCommand, localAccountBaseFlags} from '../../cli/base-command.js'
import {usageError} from '../../lib/errors.js'
import {writeFileAtomic} from '../../lib/fs-atomic.js'
import {checkMenuFile} from '../../lib/menu/files.js'
import {drawGraph, type GraphFormat, type MenuGraph as Graph} from '../../lib/menu/graph.js'

const FORMATS = ['svg', 'mermaid', 'dot'] as const
const BY_EXTENSION: Record<string, GraphFormat> = {'.svg': 'svg', '.mmd': 'mermaid', '.mermaid': 'mermaid', '.dot': 'dot', '.gv': 'dot'}

export default class MenuGraph extends IvrCommand<typeof MenuGraph> {
  // --account and --sandbox choose whose traffic --stats draws; nothing here calls the API.
  static override baseFlags = localAccountBaseFlags
  static override summary = 'Draw a menu: SVG (no external tools needed), Mermaid or Graphviz DOT; with --stats, its traffic.'
  static override description = `Menus are rounded boxes (the entry node drawn bold) with the first words of their prompt; message nodes are plain boxes; hang-ups are octagons and transfers hexagons, each with the first words of what is said before. Edges are labelled with the keys pressed; invalid-input and no-input handlers are dashed, and handlers that only repeat the menu are noted inside the box instead of drawn as loops.

With --stats the same picture carries the traffic from the decision log and the session summaries (as \`ivr menu stats\` counts it): each edge is as wide as its share of the answers given in its node and labelled with it, each node says how many calls entered it, and menu nodes are coloured by the share of callers who hung up there (green under 5%, amber 5–15%, red above). --since, --until and --version select the traffic as for \`menu stats\`.

The format follows --format, else the --out file's extension (.svg, .mmd, .dot), else SVG.`
  static override examples = [
    '<%= config.bin %> menu graph examples/menus/restaurant.yaml --out restaurant.svg',
    '<%= config.bin %> menu graph examples/menus/restaurant.yaml --format mermaid',
    '<%= config.bin %> menu graph menu.yaml --format dot | dot -Tpng > menu.png',
    '<%= config.bin %> menu graph examples/menus/restaurant.yaml --stats --since 1w --out traffic.svg',
  ]
  static override args = {
    menu: Args.string({description: 'The menu file (YAML or JSON).', required: true}),
  }
  static override flags = {
    format: Flags.string({char: 'f', summary: 'svg, mermaid or dot.', options: [...FORMATS]}),
    out: Flags.string({char: 'o', summary: 'Write to this file instead of stdout.'}),
    stats: Flags.boolean({summary: 'Draw the traffic on it: edge width and label by share, nodes coloured by abandon rate.'}),
    since: Flags.string({summary: 'With --stats: only sessions that started since (30m, 1h, 2d, 1w, a day or an ISO date-time).', dependsOn: ['stats']}),
    until: Flags.string({summary: 'With --stats: only sessions that started before.', dependsOn: ['stats']}),
    version: Flags.string({summary: 'With --stats: only this menu version (a fingerprint or its start, or `current`).', dependsOn: ['stats']}),
    decisions: Flags.string({summary: "With --stats: the decision log (default: the sub-account's).", env: 'IVR_DECISIONS', dependsOn: ['stats']}),
    store: Flags.string({summary: "With --stats: the session store (default: the sub-account's).", env: 'IVR_SESSIONS_STORE', dependsOn: ['stats']}),
  }

  async run(): Promise<{file?: string; format: GraphFormat; nodes: number; text?: string; sessions?: number}> {
    const {menu: file} = this.args
    const f = this.flags
    const format = (f.format as GraphFormat | undefined) ?? (f.out ? BY_EXTENSION[path.extname(f.out).toLowerCase()] : undefined) ?? 'svg'
    // A menu with errors can still be drawn (that is often how one finds them); say so.
    const loaded = await checkMenuFile(file, {warnUnchecked: false})
    if (!loaded.menu) throw usageError(`${file} cannot be read as a menu: ${loaded.problems[0]?.message ?? 'unknown problem'}.`, [`Run \`ivr menu check ${file}\`.`])
    const errors = loaded.problems.filter((p) => p.severity === 'error').length
    if (errors > 0) this.warnUser(`${file} has ${errors} error${errors === 1 ? '' : 's'} (see \`ivr menu check ${file}\`); drawing it anyway.`)
    let decorate: ((g: Graph) => Graph) | undefined
    let sessions: number | undefined
    if (f.stats) {
      const {menuStatsFor} = await import('../../lib/analytics/menu-stats.js')
      const stats = await menuStatsFor({
        menu: loaded.menu, file, dataDir: this.paths.dataDir, account: await this.accountInForce(),
        decisions: f.decisions, store: f.store, since: f.since, until: f.until, version: f.version, warn: (m) => this.warnUser(m),
      })
      const {withTraffic} = await import('../../lib/analytics/graph-stats.js')
      sessions = stats.sessions
      if (stats.sessions === 0) this.warnUser(`No decisions of "${stats.menu}" ${f.since || f.until || f.version ? 'match' : 'recorded yet'} in ${stats.decisionsFile}: drawing it with no traffic.`)
      decorate = (g) => withTraffic(g, stats)
    }
    const {text, nodes} = drawGraph(loaded.menu, format, decorate)
    const extra = sessions === undefined ? {} : {sessions}
    if (f.out) {
      await writeFileAtomic(f.out, text, {mode: 0o644})
      this.status(`Wrote ${f.out} (${format}, ${nodes} node${nodes === 1 ? '' : 's'}${sessions === undefined ? '' : `, traffic of ${sessions} session${sessions === 1 ? '' : 's'}`})`)
      return {file: f.out, format, nodes, ...extra}
    }
    if (!this.jsonEnabled()) process.stdout.write(text)
    return {format, nodes, text, ...extra}
  }
}
