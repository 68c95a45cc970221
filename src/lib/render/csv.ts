import {safeLine} from './safe.js'
import type {Column} from './table.js'

/**
 * What a spreadsheet may read as a formula when a cell starts with it (OWASP, "CSV Injection"):
 * = + - @, tab and carriage return, and their full-width forms, which some spreadsheets also
 * accept. Checked after leading spaces, which spreadsheets may trim.
 */
const FORMULA_START = /^[\s]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/
/** A plain number (a phone number in E.164 included) stays as it is: it cannot carry a formula. */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * Whether a spreadsheet would run this cell as a formula: the one test every CSV the tool writes
 * applies (csvField, and the export files `ivr logs` saves: logs/guard.ts). Such a value is
 * defused with a leading apostrophe.
 */
export function isFormulaLike(raw: string): boolean {
  return FORMULA_START.test(raw) && !PLAIN_NUMBER.test(raw)
}

/** RFC 4180 quoting of one field, nothing else (what the platform's own export files hold). */
export const quoteCsvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/**
 * One CSV field, for every CSV the tool writes (lists, sessions, campaigns): RFC 4180 quoting,
 * control characters removed, and a value a spreadsheet would run as a formula defused with a
 * leading apostrophe.
 */
export function csvField(value: unknown): string {
  const raw = value === undefined || value === null ? '' : String(value)
  let s = typeof value === 'boolean' ? raw : safeLine(raw)
  if (isFormulaLike(raw)) s = `'${s}`
  return quoteCsvField(s)
}

/** One CSV record (no line break). */
export const csvLine = (values: readonly unknown[]): string => values.map((v) => csvField(v)).join(',')

/** A header line and one line per row, for --csv. */
export function renderCsv<Row>(columns: Column<Row>[], rows: Row[]): string {
  return [csvLine(columns.map((c) => c.header)), ...rows.map((row) => csvLine(columns.map((c) => c.get(row))))].join('\n')
}
