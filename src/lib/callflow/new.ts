/**
 * `ivr callflow new`: the builder's questions asked through @inquirer/prompts, the result checked,
 * written (never over a file without asking) and, for a request, offered to be sent.
 */
import {promises as fs} from 'node:fs'

import type {VoiceApi} from '../api/client.js'
import type {SendCallflowResponse} from '../api/types.js'
import type {Output} from '../output.js'
import type {Colors} from '../render/colors.js'
import {safeLine} from '../render/safe.js'
import type {AccountFacts} from './account-checks.js'
import {buildCallflow, type Prompter} from './builder.js'
import {detectFormat, stringifyCallflow} from './load.js'
import {formatProblem} from './report.js'
import type {CallflowRequest, VcaResponse} from './types.js'
import {hasErrors, validateCallflow} from './validate.js'

type Prompts = typeof import('@inquirer/prompts')

export interface NewResult {
  file?: string
  document: CallflowRequest | VcaResponse
  sent?: SendCallflowResponse
}

export interface NewCallflowOptions {
  vca: boolean
  /** --output: the file to write (asked when undefined). */
  file?: string
  sandbox: boolean
  /** What the account tells the checks (voices, webhook, numbers); undefined with no account set up. */
  facts: AccountFacts | undefined
  api(): Promise<VoiceApi>
  output: Output
  errColors: Colors
  /** @inquirer/prompts, or a stand-in that answers (tests). */
  prompts: Pick<Prompts, 'select' | 'input' | 'number' | 'confirm' | 'search'>
}

export async function newCallflow(opts: NewCallflowOptions): Promise<NewResult> {
  const {output: o, prompts, errColors} = opts
  const context = opts.vca ? 'vca' : 'request'
  if (!opts.facts) o.status(errColors.dim('No account set up: voices are typed in, not picked from a list.'))
  const facts = opts.facts ?? {}
  const [firstNumber] = facts.accountNumbers ?? []
  const checks = {context, vcaWebhookRegistered: facts.vcaWebhookRegistered, accountNumbers: facts.accountNumbers} as const
  const document = await buildCallflow(prompter(opts), {...checks, profiles: facts.profiles ?? [], defaultSource: firstNumber && `+${firstNumber}`})

  const problems = validateCallflow(document, {...checks, knownProfiles: facts.knownProfiles, warnUnchecked: false})
  for (const p of problems) o.status(formatProblem(p, 'callflow', errColors))
  const file = opts.file ?? await prompts.input({message: 'Write it to', default: opts.vca ? 'vca-answer.json' : 'callflow.json'})
  if (await exists(file) && !await prompts.confirm({message: `${file} exists. Replace it?`, default: false})) {
    o.out(stringifyCallflow(document, 'json'))
    o.status('Not written; the callflow is above.')
    return {document}
  }
  await fs.writeFile(file, stringifyCallflow(document, detectFormat('', file)))
  o.status(`${errColors.green('✔')} Wrote ${file}. Check it any time with \`ivr callflow validate ${file}${opts.vca ? ' --vca' : ''}\`.`)

  const where = opts.sandbox ? 'to the local sandbox (a simulated call, no cost)' : '(this makes a real call, which costs money)'
  if (context === 'request' && !hasErrors(problems) && await prompts.confirm({message: `Send it now ${where}?`, default: false})) {
    const api = await opts.api()
    const sent = await api.sendCallflow(document as CallflowRequest)
    o.out(`Session ${safeLine(sent.sessionId)} ${safeLine(sent.sessionStatus)} (request id ${safeLine(sent.callFlowRequestId ?? '-')})`)
    return {file, document, sent}
  }
  if (context === 'request') o.status(`Send it with \`ivr send-callflow ${file}${opts.sandbox ? ' --sandbox' : ''}\`.`)
  return {file, document}
}

function prompter({prompts, output, errColors}: NewCallflowOptions): Prompter {
  return {
    select: (q) => prompts.select({message: q.message, default: q.default, choices: q.choices.map((c) => ({name: c.name, value: c.value, description: c.description, disabled: c.disabled ?? false}))}),
    input: (q) => prompts.input({message: q.message, default: q.default, validate: q.validate}),
    number: async (q) => (await prompts.number({message: q.message, default: q.default, min: q.min, max: q.max, required: true})) ?? q.default,
    confirm: (q) => prompts.confirm({message: q.message, default: q.default}),
    search: (q) => prompts.search({message: q.message, source: async (term) => q.source(term)}),
    note: (problems) => {
      for (const p of problems) output.status(`  ${formatProblem(p, 'callflow', errColors)}`)
    },
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
