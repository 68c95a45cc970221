import {Args, Flags} from '@oclif/core'

import {IvrCommand} from '../../cli/base-command.js'
import {accountFactsFor} from '../../lib/callflow/account-checks.js'
import {readCallflowSource} from '../../lib/callflow/check-file.js'
import {parseVars} from '../../lib/callflow/request.js'
import {validateSources, type ValidateResult} from '../../lib/callflow/validate-files.js'
import {ExitCode} from '../../lib/errors.js'
import {words} from '../../lib/glossary.js'

export default class CallflowValidate extends IvrCommand<typeof CallflowValidate> {
  static override summary = 'Check callflow files (JSON or YAML) as the platform would, and more.'
  static override description = `Reports every problem with the platform's status code (-1001 … -1017), the JSON path and the line, like a compiler; warnings for IVR mistakes the platform accepts silently. Exits 4 when there is any error.

Voice profiles are checked against the account's cached list (\`ivr profiles list\` caches it for a day); --online asks the account for its profiles and whether a VCA webhook is registered.` + words('VCA')
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
    // Voices and webhook: from the account with --online, else from the profile cache if there is one.
    const account = {credentials: () => this.credentials(), api: () => this.api(), cacheDir: this.paths.cacheDir}
    const facts = (await accountFactsFor(account, this.flags.online ? 'required' : 'cache')) ?? {}
    const result = validateSources(sources, {vca: this.flags.vca, vars, facts, colors: this.colors, output: this.output})
    if (!result.valid) {
      if (this.jsonEnabled()) this.logJson(result)
      this.exit(ExitCode.INVALID_INPUT)
    }
    return result
  }
}
