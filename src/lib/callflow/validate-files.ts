/** `ivr callflow validate`: every file checked, each problem said like a compiler, and the totals. */
import type {Output} from '../output.js'
import type {Colors} from '../render/colors.js'
import type {AccountFacts} from './account-checks.js'
import {checkCallflowText} from './check-file.js'
import {formatProblem, formatSummary} from './report.js'
import {countBySeverity, type Problem} from './validate.js'

export interface ValidateResult {
  valid: boolean
  errors: number
  warnings: number
  /** Every problem of every file, in order, each naming its file. */
  problems: Array<Problem & {file: string}>
  files: Array<{file: string; valid: boolean; errors: number; warnings: number}>
}

export function validateSources(
  sources: ReadonlyArray<{name: string; text: string}>,
  opts: {vca: boolean; vars: Readonly<Record<string, string>>; facts: AccountFacts; colors: Colors; output: Output},
): ValidateResult {
  const {vars, output} = opts
  const result: ValidateResult = {valid: true, errors: 0, warnings: 0, problems: [], files: []}
  let unused = Object.keys(vars)
  // "Not checked" is said once, not once per file.
  const saidUnchecked = new Set<number | undefined>()
  for (const {name, text} of sources) {
    const checked = checkCallflowText(text, name, {context: opts.vca ? 'vca' : 'request', vars, ...opts.facts})
    checked.problems = checked.problems.filter((p) => !p.unchecked || (!saidUnchecked.has(p.code) && saidUnchecked.add(p.code)))
    const counts = countBySeverity(checked.problems)
    result.errors += counts.errors
    result.warnings += counts.warnings
    result.files.push({file: name, valid: counts.errors === 0, ...counts})
    for (const p of checked.problems) result.problems.push({file: name, ...p})
    unused = unused.filter((k) => checked.unusedVars.includes(k))
    for (const p of checked.problems) output.out(formatProblem(p, name, opts.colors))
  }
  if (unused.length > 0) output.warn(`--var ${unused.join(', ')}: no placeholder uses ${unused.length === 1 ? 'it' : 'them'}.`)
  result.valid = result.errors === 0
  output.out(formatSummary({...result, files: sources.length}, opts.colors))
  return result
}
