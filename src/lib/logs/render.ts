import type {Colors} from '../render/colors.js'
import {safeLine} from '../render/safe.js'
import {renderTable, type Column} from '../render/table.js'
import type {GroupTotals, LogSummary, Money, Totals} from './summarize.js'

const int = (n: number) => n.toLocaleString('en-US')

/** An amount with 2 to 4 decimals (per-minute prices are fractions of a cent). */
export function formatAmount(amount: number): string {
  const s = amount.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 4})
  return s === '-0.00' ? '0.00' : s
}

export function formatCost(cost: Money[]): string {
  return cost.length === 0 ? '-' : cost.map((m) => `${formatAmount(m.amount)} ${safeLine(m.currency)}`).join(' + ')
}

const pct = (part: number, whole: number) => (whole === 0 ? '' : ` (${((part / whole) * 100).toFixed(1)}%)`)

function groupColumns(header: string): Column<GroupTotals>[] {
  return [
    {header, get: (r) => r.key},
    {header: 'Calls', get: (r) => int(r.calls)},
    {header: 'Answered', get: (r) => int(r.answered)},
    {header: 'Billable min', get: (r) => r.billableMinutes.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})},
    {header: 'Cost', get: (r) => formatCost(r.cost)},
  ]
}

export function renderTotals(t: Totals): string {
  return [
    `Calls:         ${int(t.calls)} (call legs)`,
    `Answered:      ${int(t.answered)}${pct(t.answered, t.calls)}`,
    `Billable:      ${t.billableMinutes.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})} min`,
    `Total cost:    ${formatCost(t.cost)}`,
  ].join('\n')
}

/** The summary for people: the totals, then one table per grouping. */
export function renderSummary(s: LogSummary, c: Colors): string {
  const table = (title: string, header: string, rows: GroupTotals[]) =>
    `${c.bold(title)}\n${renderTable(groupColumns(header), rows, {color: c.level > 0, bold: c.bold})}`
  return [
    renderTotals(s),
    table('By day (UTC)', 'Day', s.byDay),
    table('By destination country', 'Country', s.byCountry),
    table('By product', 'Product', s.byProduct),
  ].join('\n\n')
}
