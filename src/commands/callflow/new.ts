import {Flags} from '@oclif/core'

import {IvrCommand} from '../../cli/base-command.js'
import {accountFactsFor} from '../../lib/callflow/account-checks.js'
import {newCallflow, type NewResult} from '../../lib/callflow/new.js'
import {usageError} from '../../lib/errors.js'
import {words} from '../../lib/glossary.js'

export default class CallflowNew extends IvrCommand<typeof CallflowNew> {
  static override summary = 'Build a callflow interactively, action by action, and write it as JSON or YAML.'
  static override description = `Asks for each action in turn, offers the account's voices with type-to-search (from the cached list, or asked once), shows capture defaults, checks every answer with the validator, then writes the file and offers to send it.

Needs a terminal. Without one, write a file (see examples/callflows) and check it with \`ivr callflow validate\`, or send a call with the quick flags of \`ivr send-callflow\`.` + words('VCA')
  static override examples = [
    '<%= config.bin %> callflow new',
    '<%= config.bin %> callflow new -o reminder.yaml',
    '<%= config.bin %> callflow new --vca -o menu-answer.json',
  ]
  static override flags = {
    vca: Flags.boolean({summary: 'Build a VCA webhook answer instead of a Send Callflow request.'}),
    // -o is --out in every command; --output, its name here before, still works (hidden).
    out: Flags.string({char: 'o', aliases: ['output'], summary: 'File to write (.json, .yaml or .yml); asked when left out.'}),
  }

  async run(): Promise<NewResult> {
    if (!this.isInteractive) {
      throw usageError('`ivr callflow new` asks questions, and there is no terminal to ask them on.', [
        'Write a JSON or YAML file (examples/callflows has some) and check it: `ivr callflow validate FILE`.',
        'Or send a call from flags: `ivr send-callflow --from +6531591234 --to +6591234567 --say "Hello" --hangup`.',
      ])
    }
    // Voices (asked once, else cached) and the VCA webhook, when an account is set up.
    const facts = await accountFactsFor({credentials: () => this.credentials(), api: () => this.api(), cacheDir: this.paths.cacheDir}, 'preferred')
    return newCallflow({
      vca: this.flags.vca, file: this.flags.out, sandbox: this.flags.sandbox, facts, api: () => this.api(),
      output: this.output, errColors: this.errColors, prompts: await import('@inquirer/prompts'),
    })
  }
}
