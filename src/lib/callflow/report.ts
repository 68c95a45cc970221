/** Problems as a compiler prints them: `file:line:col  -1009  $.callflow[1].params.text is missing but it is required`. */
import {safeLine} from '../render/safe.js'
import type {Problem} from './validate.js'

/** The subset of chalk the report uses (colours off: identity functions). */
export interface ReportColors {
  red(s: string): string
  yellow(s: string): string
  dim(s: string): string
  bold(s: string): string
  green(s: string): string
}

/**
 * One problem on one line (and its hint, indented, on the next). Errors show their status code;
 * warnings say `warning` there, and any code they refer to at the end.
 */
export function formatProblem(p: Problem, file: string, c: ReportColors): string {
  const loc = p.line === undefined ? file : `${file}:${p.line}:${p.column ?? 1}`
  const isError = p.severity === 'error'
  const tag = isError ? (p.code === undefined ? 'error' : String(p.code)) : 'warning'
  const paint = isError ? c.red : c.yellow
  // Messages quote the user's own text: keep control characters out of the terminal.
  const codeNote = !isError && p.code !== undefined ? c.dim(` [${p.code}]`) : ''
  const line = `${loc}  ${paint(tag)}  ${p.path} ${safeLine(p.message)}${codeNote}`
  return p.hint ? `${line}\n    ${c.dim(`→ ${safeLine(p.hint)}`)}` : line
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** The closing line: `2 errors, 1 warning in 3 files` or `3 files valid`. */
export function formatSummary(counts: {errors: number; warnings: number; files: number}, c: ReportColors): string {
  const files = plural(counts.files, 'file')
  if (counts.errors > 0) {
    return c.red(`✖ ${plural(counts.errors, 'error')}${counts.warnings ? `, ${plural(counts.warnings, 'warning')}` : ''} in ${files}`)
  }
  return c.green(`✔ ${files} valid`) + (counts.warnings ? c.yellow(` (${plural(counts.warnings, 'warning')})`) : '')
}
