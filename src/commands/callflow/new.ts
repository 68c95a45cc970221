import {promises as fs} from 'node:fs'

import {Flags} from '@oclif/core'

import type {SendCallflowResponse} from '../../lib/api/types.js'
import {IvrCommand} from '../../lib/base-command.js'
import {cachedAccountFacts, onlineAccountFacts, type AccountFacts} from '../../lib/callflow/account-checks.js'
import {buildCallflow, type Prompter} from '../../lib/callflow/builder.js'
import {detectFormat, stringifyCallflow} from '../../lib/callflow/load.js'
import {formatProblem} from '../../lib/callflow/report.js'
import type {CallflowRequest, VcaResponse} from '../../lib/callflow/types.js'
import {hasErrors, validateCallflow} from '../../lib/callflow/validate.js'
import {usageError} from '../../lib/errors.js'
import {profileCacheFile} from '../../lib/profiles.js'
import {safeLine} from '../../lib/render/safe.js'

export interface NewResult {
  file?: string
  document: CallflowRequest | VcaResponse
  sent?: SendCallflowResponse
}

export default class CallflowNew extends IvrCommand<typeof CallflowNew> {
  static override summary = 'Build a callflow interactively, action by action, and write it as JSON or YAML.'
  static override description = `Asks for each action in turn, offers the account's voices with type-to-search (from the cached list, or asked once), shows capture defaults, checks every answer with the validator, then writes the file and offers to send it.

Needs a terminal. Without one, write a file (see examples/callflows) and check it with \`ivr callflow validate\`, or send a call with the quick flags of \`ivr send-callflow\`.`
  static override examples = [
    '<%= config.bin %> callflow new',
    '<%= config.bin %> callflow new -o reminder.yaml',
    '<%= config.bin %> callflow new --vca -o menu-answer.json',
  ]
  static override flags = {
    vca: Flags.boolean({summary: 'Build a VCA webhook answer instead of a Send Callflow request.'}),
    output: Flags.string({char: 'o', summary: 'File to write (.json, .yaml or .yml); asked when left out.'}),
  }

  async run(): Promise<NewResult> {
    if (!this.isInteractive) {
      throw usageError('`ivr callflow new` asks questions, and there is no terminal to ask them on.', [
        'Write a JSON or YAML file (examples/callflows has some) and check it: `ivr callflow validate FILE`.',
        'Or send a call from flags: `ivr send-callflow --from +6531591234 --to +6591234567 --say "Hello" --hangup`.',
      ])
    }
    const context = this.flags.vca ? 'vca' : 'request'
    const facts = await this.accountFacts()
    const prompts = await import('@inquirer/prompts')
    const [firstNumber] = facts.accountNumbers ?? []
    const checks = {context, vcaWebhookRegistered: facts.vcaWebhookRegistered, accountNumbers: facts.accountNumbers} as const
    const document = await buildCallflow(this.prompter(prompts), {...checks, profiles: facts.profiles ?? [], defaultSource: firstNumber && `+${firstNumber}`})

    const problems = validateCallflow(document, {...checks, knownProfiles: facts.knownProfiles, warnUnchecked: false})
    for (const p of problems) this.status(formatProblem(p, 'callflow', this.errColors))
    const file = this.flags.output ?? await prompts.input({message: 'Write it to', default: this.flags.vca ? 'vca-answer.json' : 'callflow.json'})
    if (await exists(file) && !await prompts.confirm({message: `${file} exists. Replace it?`, default: false})) {
      this.out(stringifyCallflow(document, 'json'))
      this.status('Not written; the callflow is above.')
      return {document}
    }
    await fs.writeFile(file, stringifyCallflow(document, detectFormat('', file)))
    this.status(`${this.errColors.green('✔')} Wrote ${file}. Check it any time with \`ivr callflow validate ${file}${this.flags.vca ? ' --vca' : ''}\`.`)

    const where = this.flags.sandbox ? 'to the local sandbox (a simulated call, no cost)' : '(this makes a real call, which costs money)'
    if (context === 'request' && !hasErrors(problems) && await prompts.confirm({message: `Send it now ${where}?`, default: false})) {
      const api = await this.api()
      const sent = await api.sendCallflow(document as CallflowRequest)
      this.out(`Session ${safeLine(sent.sessionId)} ${safeLine(sent.sessionStatus)} (request id ${safeLine(sent.callFlowRequestId ?? '-')})`)
      return {file, document, sent}
    }
    if (context === 'request') this.status(`Send it with \`ivr send-callflow ${file}${this.flags.sandbox ? ' --sandbox' : ''}\`.`)
    return {file, document}
  }

  /** Voices (cached, else asked once) and the VCA webhook, when an account is set up; otherwise nothing. */
  private async accountFacts(): Promise<AccountFacts> {
    try {
      const creds = await this.credentials()
      const cacheFile = profileCacheFile(this.paths.cacheDir, creds.account, creds.baseUrl)
      try {
        return await onlineAccountFacts(await this.api(), cacheFile)
      } catch {
        return await cachedAccountFacts(cacheFile)
      }
    } catch {
      this.status(this.errColors.dim('No account set up: voices are typed in, not picked from a list.'))
      return {}
    }
  }

  private prompter(prompts: typeof import('@inquirer/prompts')): Prompter {
    return {
      select: (q) => prompts.select({message: q.message, default: q.default, choices: q.choices.map((c) => ({name: c.name, value: c.value, description: c.description, disabled: c.disabled ?? false}))}),
      input: (q) => prompts.input({message: q.message, default: q.default, validate: q.validate}),
      number: async (q) => (await prompts.number({message: q.message, default: q.default, min: q.min, max: q.max, required: true})) ?? q.default,
      confirm: (q) => prompts.confirm({message: q.message, default: q.default}),
      search: (q) => prompts.search({message: q.message, source: async (term) => q.source(term)}),
      note: (problems) => {
        for (const p of problems) this.status(`  ${formatProblem(p, 'callflow', this.errColors)}`)
      },
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file)
    return true
  } catch {
    return false
  }
}
