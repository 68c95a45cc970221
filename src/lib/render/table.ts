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

/** Columns a text takes on a terminal: escape sequences and combining marks none, wide (CJK, emoji) characters two. */
export function displayWidth(text: string): number {
  let width = 0
  for (const ch of text.replace(/\u001B\[[0-9;]*m/g, '')) {
    const cp = ch.codePointAt(0)!
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0xFE00 && cp <= 0xFE0F)) continue
    const wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF)
      || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
      || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD)
    width += wide ? 2 : 1
  }
  return width
}

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
  const head = columns.map((c, i) => {
    const header = widths ? truncate(c.header, widths[i]) : c.header
    return opts.color && opts.bold ? opts.bold(header) : header
  })
  const body = rows.map((row) => columns.map((c, i) => {
    const text = widths ? truncate(cellText(c.get(row)), widths[i]) : cellText(c.get(row))
    return opts.color && c.style ? c.style(text, row) : text
  }))
  // Each column as wide as its widest cell and two spaces, no borders. Laid out here: cli-table3
  // measured every cell with a width library that took longer than the rest of `ivr codes`.
  const lines = [head, ...body]
  const colWidths = columns.map((_, i) => Math.max(...lines.map((cells) => displayWidth(cells[i]))))
  return lines.map((cells) => cells.map((t, i) => t + ' '.repeat(colWidths[i] - displayWidth(t) + 2)).join('').trimEnd()).join('\n')
}
