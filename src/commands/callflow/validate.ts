import {Args, Flags} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {cachedAccountFacts, onlineAccountFacts, type AccountFacts} from '../../lib/callflow/account-checks.js'
import {checkCallflowText, readCallflowSource} from '../../lib/callflow/check-file.js'
import {parseVars} from '../../lib/callflow/request.js'
import {formatProblem, formatSummary} from '../../lib/callflow/report.js'
import {countBySeverity, type Problem} from '../../lib/callflow/validate.js'
import {ExitCode} from '../../lib/errors.js'
import {profileCacheFile} from '../../lib/profiles.js'

export interface ValidateResult {
  valid: boolean
  errors: number
  warnings: number
  /** Every problem of every file, in order, each naming its file. */
  problems: Array<Problem & {file: string}>
  files: Array<{file: string; valid: boolean; errors: number; warnings: number}>
}

export default class CallflowValidate extends IvrCommand<typeof CallflowValidate> {
  static override summary = 'Check callflow files (JSON or YAML) as the platform would, and more.'
  static override description = `Reports every problem with the platform's status code (-1001 … -1017), the JSON path and the line, like a compiler; warnings for IVR mistakes the platform accepts silently. Exits 4 when there is any error.

Voice profiles are checked against the account's cached list (\`ivr profiles list\` caches it for a day); --online asks the account for its profiles and whether a VCA webhook is registered.`
  static override examples = [
    '<%= config.bin %> callflow validate examples/callflows/*.json',
    'cat flow.yaml | <%= config.bin %> callflow validate -',
    '<%= config.bin %> callflow validate --vca menu-answer.json',
    '<%= config.bin %> callflow validate reminder.json --var name=Alice --online',
  ]
  static override strict = false
  static override args = {
    file: Args.string({description: 'Callflow files; - reads standard input.', required: true}),
  }
  static override flags = {
    vca: Flags.boolean({summary: 'The files are VCA webhook answers, not Send Callflow requests (no makeCall needed first).'}),
    online: Flags.boolean({summary: 'Also ask the account: its voice profiles and its VCA webhook.'}),
    var: Flags.string({summary: 'Fill {{name}} placeholders: name=value (repeatable).', multiple: true, multipleNonGreedy: true}),
  }

  async run(): Promise<ValidateResult> {
    const {argv} = await this.parse(CallflowValidate)
    const vars = parseVars(this.flags.var ?? [])
    const sources: Array<{name: string; text: string}> = []
    for (const file of argv as string[]) sources.push(await readCallflowSource(file, process.stdin))
    const facts = await this.accountFacts()

    const result: ValidateResult = {valid: true, errors: 0, warnings: 0, problems: [], files: []}
    let unused = Object.keys(vars)
    // "Not checked" is said once, not once per file.
    const saidUnchecked = new Set<number | undefined>()
    for (const {name, text} of sources) {
      const checked = checkCallflowText(text, name, {context: this.flags.vca ? 'vca' : 'request', vars, ...facts})
      checked.problems = checked.problems.filter((p) => !p.unchecked || (!saidUnchecked.has(p.code) && saidUnchecked.add(p.code)))
      const counts = countBySeverity(checked.problems)
      result.errors += counts.errors
      result.warnings += counts.warnings
      result.files.push({file: name, valid: counts.errors === 0, ...counts})
      for (const p of checked.problems) result.problems.push({file: name, ...p})
      unused = unused.filter((k) => checked.unusedVars.includes(k))
      for (const p of checked.problems) this.out(formatProblem(p, name, this.colors))
    }
    if (unused.length > 0) this.warnUser(`--var ${unused.join(', ')}: no placeholder uses ${unused.length === 1 ? 'it' : 'them'}.`)
    result.valid = result.errors === 0
    this.out(formatSummary({...result, files: sources.length}, this.colors))
    if (!result.valid) {
      if (this.jsonEnabled()) this.logJson(result)
      this.exit(ExitCode.INVALID_INPUT)
    }
    return result
  }

  /** Voices and webhook, from the account when --online, else from the profile cache if there is one. */
  private async accountFacts(): Promise<AccountFacts> {
    if (this.flags.online) {
      const api = await this.api()
      const creds = await this.credentials()
      return onlineAccountFacts(api, profileCacheFile(this.paths.cacheDir, creds.account, creds.baseUrl))
    }
    try {
      const creds = await this.credentials()
      return await cachedAccountFacts(profileCacheFile(this.paths.cacheDir, creds.account, creds.baseUrl))
    } catch {
      // No account set up: validate offline, and say what was not checked.
      return {}
    }
  }
}
