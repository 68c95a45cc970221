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

/** A table for people: borders and bold headers on a TTY, plain aligned text otherwise. */
export function renderTable<Row>(columns: Column<Row>[], rows: Row[], opts: {color: boolean; bold?: (s: string) => string}): string {
  const table = new Table({
    head: columns.map((c) => (opts.color && opts.bold ? opts.bold(c.header) : c.header)),
    style: {head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2},
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
  })
  for (const row of rows) {
    table.push(columns.map((c) => {
      const text = cellText(c.get(row))
      return opts.color && c.style ? c.style(text, row) : text
    }))
  }
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n')
}
