import {Args} from '@oclif/core'

import {IvrCommand} from '../../cli/base-command.js'
import {formatProblem, formatSummary} from '../../lib/callflow/report.js'
import {countBySeverity, type Problem} from '../../lib/callflow/validate.js'
import {ExitCode} from '../../lib/errors.js'
import {checkMenuFile} from '../../lib/menu/files.js'
import {words} from '../../lib/glossary.js'

export interface MenuCheckResult {
  valid: boolean
  errors: number
  warnings: number
  files: Array<{file: string; valid: boolean; nodes: number; problems: Problem[]}>
}

export default class MenuCheck extends IvrCommand<typeof MenuCheck> {
  static override summary = 'Check menu files: references, reachability, loops, captures, handlers, prompts, voices, and every callflow they can emit.'
  static override description = `Compiler-style output (file:line:col, severity, path, message) and exit 4 when there is any error.

Errors: dangling references (goto, parent, entry), loops with no way out (no hang-up or transfer reachable), choices the capture settings can never produce, duplicate or reserved node ids, unknown placeholders, text over the platform's limit once placeholders are filled, and whatever the shared callflow validator finds in the callflows the menu emits (VCA-answer context) — unknown voices included, when the account's profile list is cached (\`ivr profiles list\` caches it for a day).
Warnings: unreachable nodes, menus without invalid-input or no-input handling, very long prompts, voices not checked.` + words('VCA')
  static override examples = [
    '<%= config.bin %> menu check examples/menus/restaurant.yaml',
    '<%= config.bin %> menu check menus/*.yaml --json',
  ]
  static override strict = false
  static override args = {
    menu: Args.string({description: 'Menu files (YAML or JSON).', required: true}),
  }

  async run(): Promise<MenuCheckResult> {
    const {argv} = await this.parse(MenuCheck)
    const knownProfiles = await this.cachedVoiceProfiles()
    const result: MenuCheckResult = {valid: true, errors: 0, warnings: 0, files: []}
    let saidUnchecked = false
    for (const file of argv as string[]) {
      const loaded = await checkMenuFile(file, {knownProfiles})
      // "Voices not checked" is said once, not once per file.
      const problems = loaded.problems.filter((p) => !p.unchecked || (!saidUnchecked && (saidUnchecked = true)))
      const counts = countBySeverity(problems)
      result.errors += counts.errors
      result.warnings += counts.warnings
      result.files.push({file, valid: counts.errors === 0 && Boolean(loaded.menu), nodes: loaded.menu?.nodes.size ?? 0, problems})
      for (const p of problems) this.out(formatProblem(p, file, this.colors))
    }
    result.valid = result.errors === 0
    this.out(formatSummary({errors: result.errors, warnings: result.warnings, files: result.files.length}, this.colors))
    if (!result.valid) {
      if (this.jsonEnabled()) this.logJson(result)
      this.exit(ExitCode.INVALID_INPUT)
    }
    return result
  }
}
