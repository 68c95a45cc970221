import {Errors, type Hook} from '@oclif/core'

import {didYouMean} from '../lib/did-you-mean.js'
import {usageError} from '../lib/errors.js'
import {makeColors} from '../lib/render/colors.js'
import {errorEnvelope, errorText} from '../lib/render/error.js'
import {safeLine} from '../lib/render/safe.js'

/**
 * An unknown command is a usage error like any other (exit 2, README's table), said the same way,
 * and under --json it is the JSON error envelope on stdout. Replaces @oclif/plugin-not-found, whose
 * answer was exit 127 in plain text and, on a terminal, a yes/no question.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const {config} = opts
  const words = opts.id.split(':')
  const typed = `${config.bin} ${words.map((w) => safeLine(w)).join(' ')}`
  const visible = config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '))
  const near = didYouMean(words.join(' '), visible)
  const topic = config.findTopic(words[0]) ? ` ${words[0]}` : ''
  const error = usageError(`"${typed}" is not an ${config.bin} command.`, [
    ...(near ? [`Did you mean \`${config.bin} ${near}\`?`] : []),
    `See the commands with \`${config.bin} help${topic}\`.`,
  ])
  const argv = opts.argv ?? []
  if (argv.includes('--json')) process.stdout.write(errorEnvelope(error))
  else {
    const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''
    const color = !noColor && ((process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') || Boolean(process.stderr.isTTY))
    process.stderr.write(errorText(error, makeColors(color)))
  }
  throw new Errors.ExitError(error.exitCode)
}

export default hook
