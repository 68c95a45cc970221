/** pause, resume and cancel: a status change, with what it means for a run under way or not. */
import {ExitCode, IvrError} from '../errors.js'
import type {CampaignJournal} from './journal.js'

export async function changeStatus(journal: CampaignJournal, to: 'paused' | 'running' | 'cancelled'): Promise<{status: string; message: string}> {
  const name = journal.name
  const now = await journal.status()
  if (now === 'cancelled' || now === 'finished') {
    throw new IvrError(`Campaign "${name}" is ${now}; it cannot be ${to === 'running' ? 'resumed' : to}.`, {code: 'CAMPAIGN_ENDED', exitCode: ExitCode.USAGE})
  }
  const running = 'runningElsewhere' in journal ? await (journal as {runningElsewhere(): Promise<unknown>}).runningElsewhere() : now === 'running'
  if (to === 'running' && !running) {
    return {status: now, message: `Campaign ${name} is not being run. Start it with \`ivr campaign run ${name}\`.`}
  }
  if (to === 'paused' && !running) {
    await journal.setStatus('paused')
    return {status: 'paused', message: `Campaign ${name} is not being run; marked paused (\`ivr campaign run ${name}\` starts it again).`}
  }
  await journal.setStatus(to)
  const words = {paused: 'pausing: no new calls; live ones finish', running: 'resuming', cancelled: 'cancelled: nobody more will be called'}[to]
  return {status: to, message: `Campaign ${name}: ${words}.`}
}
