/** `menu stats` for people (headline, node table, choices and top paths as bar charts) and as CSV rows. */
import {bar, type Charset} from '../render/chart.js'
import type {Colors} from '../render/colors.js'
import {safeLine} from '../render/safe.js'
import {renderTable, type Column} from '../render/table.js'
import {formatSeconds} from '../render/time.js'
import type {MenuStats, NodeStat, PathStat} from './menu-stats.js'

export const pct = (x: number) => `${(x * 100).toFixed(1)}%`

/** `main 2 › staff 1 → transfer`, `main 1 → hung up in reservations`. */
export function describePath(p: Pick<PathStat, 'steps' | 'end' | 'endNode'>): string {
  const steps = p.steps.length > 0 ? p.steps.join(' › ') : '(no key pressed)'
  const end = p.end === 'abandon' ? `hung up in ${p.endNode ?? '?'}`
    : p.end === 'no summary yet' ? `in ${p.endNode ?? '?'}, no summary yet`
      : p.end === 'hangup' ? 'hang up' : p.end
  return safeLine(`${steps} → ${end}`)
}

function nodeColumns(): Column<NodeStat>[] {
  const rate = (count: number, r: number, when: boolean) => (when ? `${pct(r)} (${count})` : '-')
  return [
    {header: 'Node', get: (n) => (n.kind === 'menu' ? n.id : `${n.id} (${n.kind})`)},
    {header: 'Calls', get: (n) => n.calls},
    {header: 'Visits', get: (n) => n.visits},
    {header: 'Invalid', get: (n) => rate(n.invalid, n.invalidRate, n.answers > 0)},
    {header: 'No input', get: (n) => rate(n.noInput, n.noInputRate, n.answers > 0)},
    {header: 'Hung up here', get: (n) => rate(n.abandoned, n.abandonRate, n.calls > 0 && n.kind === 'menu')},
    {header: 'Transfers', get: (n) => (n.transfers === 0 ? '-' : `${n.transfers} (${n.transfersAnswered} answered${n.transfersUnknown ? `, ${n.transfersUnknown} not known yet` : ''})`)},
    {header: 'Median time', get: (n) => (n.medianSec === undefined ? '-' : formatSeconds(n.medianSec))},
  ]
}

export function renderMenuStats(s: MenuStats, opts: {colors: Colors; charset: Charset; width?: number}): string {
  const c = opts.colors
  const width = opts.width ?? 30
  const lines: string[] = []
  const field = (name: string, value: string) => lines.push(`${c.bold(name.padEnd(10))} ${value}`)
  const versions = s.versions.length
  field('Menu', `${safeLine(s.menu)} (this file is version ${s.version}; ${versions} version${versions === 1 ? '' : 's'} in the log${s.filter.version ? `, showing ${safeLine(s.filter.version)}` : ''})`)
  field('Sessions', `${s.sessions}: ${s.withSummary} with a summary, ${s.noSummary} without one yet (counted apart: still running, or no \`sessions tail\` received it)`)
  const e = s.ends
  field('Ended', `${e.hangup} hung up by the menu, ${e.transfer} transferred, ${e.abandon} caller hung up, ${e.apology} apolog${e.apology === 1 ? 'y' : 'ies'}`)
  if (s.unknown > 0) field('Unplaced', c.red(`${s.unknown} request${s.unknown === 1 ? '' : 's'} the menu could not place (answered with the apology)`))
  if (s.sessions === 0) return lines.join('\n')

  lines.push('', renderTable(nodeColumns(), s.nodes.filter((n) => n.calls > 0 || n.kind === 'menu'), {color: c.level > 0, bold: c.bold}))

  lines.push('', c.bold('Choices'))
  for (const n of s.nodes.filter((x) => x.answers > 0)) {
    lines.push(`  ${c.bold(safeLine(n.id))} ${c.dim(`(${n.answers} answer${n.answers === 1 ? '' : 's'})`)}`)
    const rows = [
      ...n.choices.map((ch) => ({label: `${ch.key}${ch.target ? ` → ${ch.target}` : ' (no longer a choice)'}`, count: ch.count, share: ch.share, colour: c.cyan})),
      ...(n.invalid > 0 ? [{label: 'invalid', count: n.invalid, share: n.invalidRate, colour: c.yellow}] : []),
      ...(n.noInput > 0 ? [{label: 'no input', count: n.noInput, share: n.noInputRate, colour: c.yellow}] : []),
    ]
    const max = Math.max(...rows.map((r) => r.count))
    const labelWidth = Math.min(28, Math.max(...rows.map((r) => safeLine(r.label).length)))
    const countWidth = String(max).length
    for (const r of rows) {
      const drawn = bar(r.count, max, width, opts.charset)
      lines.push(`    ${safeLine(r.label).slice(0, 28).padEnd(labelWidth)}  ${String(r.count).padStart(countWidth)}  ${r.colour(drawn.padEnd(width))}  ${c.dim(pct(r.share))}`.trimEnd())
    }
  }

  if (s.paths.length > 0) {
    lines.push('', c.bold('Top paths'))
    const max = s.paths[0].count
    const countWidth = String(max).length
    for (const p of s.paths) {
      const colour = p.end === 'abandon' ? c.red : p.end === 'no summary yet' ? c.dim : c.green
      lines.push(`  ${String(p.count).padStart(countWidth)}  ${c.cyan(bar(p.count, max, 12, opts.charset).padEnd(12))}  ${pct(p.share).padStart(6)}  ${colour(describePath(p))}`)
    }
  }
  return lines.join('\n')
}

/** One CSV row per node and measure (long format: pivot it in a spreadsheet). */
export interface StatsCsvRow {
  node: string
  calls: number
  measure: 'choice' | 'invalid' | 'no-input' | 'hung-up-here' | 'transfer' | 'transfer-answered' | 'median-seconds'
  key?: string
  target?: string
  count: number
  rate?: number
}

export function menuStatsRows(s: MenuStats): StatsCsvRow[] {
  const rows: StatsCsvRow[] = []
  for (const n of s.nodes) {
    const base = {node: n.id, calls: n.calls}
    for (const ch of n.choices) rows.push({...base, measure: 'choice', key: ch.key, target: ch.target, count: ch.count, rate: ch.share})
    if (n.answers > 0) {
      rows.push({...base, measure: 'invalid', count: n.invalid, rate: n.invalidRate}, {...base, measure: 'no-input', count: n.noInput, rate: n.noInputRate})
    }
    if (n.kind === 'menu') rows.push({...base, measure: 'hung-up-here', count: n.abandoned, rate: n.abandonRate})
    if (n.transfers > 0) {
      rows.push({...base, measure: 'transfer', count: n.transfers}, {...base, measure: 'transfer-answered', count: n.transfersAnswered, rate: n.transfers ? Math.round((n.transfersAnswered / n.transfers) * 1000) / 1000 : 0})
    }
    if (n.medianSec !== undefined) rows.push({...base, measure: 'median-seconds', count: n.medianSec})
  }
  return rows
}

export const STATS_CSV_COLUMNS: Column<StatsCsvRow>[] = (['node', 'calls', 'measure', 'key', 'target', 'count', 'rate'] as const).map((k) => ({header: k, get: (r: StatsCsvRow) => r[k]}))
