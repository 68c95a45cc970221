import {IvrError, ExitCode, usageError} from './errors.js'

/** Asks yes/no on a terminal; without one, only --yes lets a destructive command go ahead. */
export async function confirmOrRefuse(opts: {yes?: boolean; interactive: boolean; question: string}): Promise<void> {
  if (opts.yes) return
  if (!opts.interactive) throw usageError('This would change things and there is no terminal to ask on.', ['Add --yes to go ahead.'])
  const {confirm} = await import('@inquirer/prompts')
  const ok = await confirm({message: opts.question, default: false})
  if (!ok) throw new IvrError('Nothing was changed.', {code: 'DECLINED', exitCode: ExitCode.USAGE})
}
