/**
 * The lifecycle of `campaign run`: the campaign checked runnable, uncertain contacts made pending
 * if asked, the receiver and menu server started (serving.ts), the runner run, and everything
 * undone in order at the end, whatever ends it.
 */
import {decisionRecorder, DecisionLog} from '../analytics/decisions.js'
import type {VoiceApi} from '../api/client.js'
import {ExitCode, IvrError} from '../errors.js'
import {loadContent} from './content.js'
import type {CampaignJournal} from './journal.js'
import {CampaignRunner, type RunEvent, type RunResult, type Send} from './runner.js'
import {startServing, type ListenerEvent, type ServingOptions} from './serving.js'

/** What a run says as it goes: the runner's events, and a change of the listener it uses. */
export type CampaignRunEvent = RunEvent | ListenerEvent

export interface RunCampaignOptions extends Omit<ServingOptions, 'menu' | 'onSummary' | 'onStep' | 'api' | 'campaign' | 'record' | 'onListener'> {
  /** A menu campaign keeps every call action its menu answers here, as `ivr serve` does (`ivr menu stats` reads it). */
  decisionsFile?: string
  journal: CampaignJournal
  api: VoiceApi
  /** Default: the API client's sendCallflow. */
  send?: Send
  onEvent: (ev: CampaignRunEvent) => void
  signal?: AbortSignal
  drainMs?: number
  retryUncertain?: boolean
  knownProfiles?: ReadonlySet<string>
  /** Called once listening, with what listens where. */
  onServing?: (describe: string[]) => void
}

export async function runCampaign(o: RunCampaignOptions): Promise<RunResult & {retried: number}> {
  const {journal} = o
  const status = await journal.status()
  if (status === 'cancelled' || status === 'finished') {
    const counts = await journal.counts()
    if (!(status === 'finished' && o.retryUncertain && counts.uncertain > 0)) {
      throw new IvrError(`Campaign "${journal.name}" is ${status}: there is nobody left to call.`, {
        code: status === 'cancelled' ? 'CAMPAIGN_CANCELLED' : 'CAMPAIGN_FINISHED', exitCode: ExitCode.USAGE,
        suggestions: [`See its outcomes with \`ivr campaign results ${journal.name}\`; to call the list again, create a new campaign.`],
      })
    }
    await journal.setStatus('ready')
  }
  const running = (journal as {runningElsewhere?: () => Promise<{pid: number} | undefined>}).runningElsewhere
  const other = running ? await running.call(journal) : undefined
  if (other) {
    throw new IvrError(`Campaign "${journal.name}" is already being run by process ${other.pid}.`, {
      code: 'CAMPAIGN_BUSY', exitCode: ExitCode.USAGE, suggestions: [`Watch it with \`ivr campaign status ${journal.name}\`.`],
    })
  }
  const retried = o.retryUncertain ? await journal.retryUncertain() : 0
  const content = loadContent(journal.definition.content, {knownProfiles: o.knownProfiles})
  if (content.kind === 'menu' && !content.menu) {
    throw new IvrError(`The campaign's menu no longer passes the check: ${content.problems.find((p) => p.severity === 'error')?.message ?? ''}`, {code: 'MENU_INVALID', exitCode: ExitCode.INVALID_INPUT})
  }
  const runner = new CampaignRunner({
    journal, content, send: o.send ?? ((r) => o.api.sendCallflow(r)), onEvent: o.onEvent, signal: o.signal, drainMs: o.drainMs,
  })
  const log = content.menu && o.decisionsFile ? await DecisionLog.open(o.decisionsFile, {onError: o.warn}) : undefined
  const serving = await startServing({
    ...o, menu: content.menu, campaign: `${journal.name} (${journal.location})`, ...(log ? {record: decisionRecorder(log, journal.definition.content.file)} : {}),
    onSummary: (s) => void runner.summary(s).catch((e) => o.warn(`Could not record a summary: ${(e as Error).message}`)),
    onListener: o.onEvent,
    onStep: (r) => void runner.step(r.sessionId, {...(r.from ? {node: r.from} : {}), taken: r.taken}).catch(() => {}),
  }).catch(async (error: unknown) => {
    await log?.close()
    throw error
  })
  o.onServing?.(serving.describe)
  let result: RunResult
  try {
    result = await runner.run()
  } finally {
    const {warnings} = await serving.stop()
    for (const w of warnings) o.warn(w)
    await log?.close()
  }
  return {...result, retried}
}
