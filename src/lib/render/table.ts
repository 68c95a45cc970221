import Table from 'cli-table3'

import {safeLine} from './safe.js'

export interface Column<Row> {
  header: string
  /** The value for a row; rendered as text (remote strings are made safe here). */
  get: (row: Row) => unknown
  /** Colours a cell for display; CSV never sees it. */
  style?: (text: string, row: Row) => string
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return safeLine(value)
}

/** Printed width of a cell (escape sequences take no room). */
const widthOf = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '').length

/**
 * Fits a table into `width` columns so no row wraps: the widest columns are shortened first (to
 * no less than their header or 8 characters, ending in …), then columns are dropped from the
 * right. Returns the indexes of the columns kept and the width of each.
 */
export function fitColumns(headers: readonly string[], cells: readonly string[][], width: number, gap = 2): {keep: number[]; widths: number[]} {
  const widths = headers.map((h, i) => Math.max(widthOf(h), ...cells.map((r) => widthOf(r[i] ?? ''))))
  const floor = headers.map((h) => Math.max(widthOf(h), 8))
  let keep = headers.map((_, i) => i)
  const total = () => keep.reduce((sum, i) => sum + widths[i], 0) + gap * (keep.length - 1)
  let over = total() - width
  while (over > 0) {
    const widest = keep.filter((i) => widths[i] > floor[i]).sort((a, b) => widths[b] - widths[a])[0]
    if (widest === undefined) break
    const second = Math.max(floor[widest], ...keep.filter((i) => i !== widest).map((i) => widths[i]))
    const cut = Math.min(over, Math.max(1, widths[widest] - second))
    widths[widest] -= cut
    over -= cut
  }
  while (total() > width && keep.length > 1) keep = keep.slice(0, -1)
  return {keep, widths}
}

/** Text shortened to `width` characters, ending in … when it was longer. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`
}

/**
 * A table for people: bold headers on a TTY, plain aligned text otherwise. With `width` (a
 * terminal's), it fits: long cells are shortened and the rightmost columns dropped, never wrapped.
 */
export function renderTable<Row>(allColumns: Column<Row>[], rows: Row[], opts: {color: boolean; bold?: (s: string) => string; width?: number}): string {
  let columns = allColumns
  let widths: number[] | undefined
  if (opts.width) {
    const fit = fitColumns(allColumns.map((c) => c.header), rows.map((row) => allColumns.map((c) => cellText(c.get(row)))), opts.width)
    columns = fit.keep.map((i) => allColumns[i])
    widths = fit.keep.map((i) => fit.widths[i])
  }
  const table = new Table({
    head: columns.map((c, i) => {
      const header = widths ? truncate(c.header, widths[i]) : c.header
      return opts.color && opts.bold ? opts.bold(header) : header
    }),
    style: {head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2},
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
  })
  for (const row of rows) {
    table.push(columns.map((c, i) => {
      const text = widths ? truncate(cellText(c.get(row)), widths[i]) : cellText(c.get(row))
      return opts.color && c.style ? c.style(text, row) : text
    }))
  }
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n')
}
