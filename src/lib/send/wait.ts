/**
 * `send-callflow --wait`: the created session's outcome, from the sandbox (its timeline, long-polled)
 * or, with a real account, from the local store a running `ivr sessions tail` fills.
 */
import {ExitCode, IvrError} from '../errors.js'
import type {Colors} from '../render/colors.js'
import {waitForSession, type SandboxTarget} from '../sandbox/control.js'
import type {Timeline} from '../sandbox/engine.js'
import {formatTimeline} from '../sandbox/timeline-view.js'
import {runningReceiver} from '../sessions/lock.js'
import type {StoredEvent} from '../sessions/store.js'
import {renderSession} from '../sessions/view.js'
import {exitCodeForSummary, waitForSummary} from '../sessions/wait.js'

export interface WaitOutcome {
  sessionId: string
  sessionStatus?: string
  /** 0 for COMPLETED, 7 for any other outcome. */
  exitCode: number
  /** What a person reads: the timeline and summary, or the stored summary. */
  text: string
  timeline?: Timeline
  summary?: unknown
}

const exitFor = (status: string | undefined) => (status === 'COMPLETED' ? ExitCode.OK : ExitCode.SESSION_NOT_COMPLETED)

export function timedOut(sessionId: string, timeoutMs: number, where: string): IvrError {
  return new IvrError(`No session summary for ${sessionId} arrived within ${Math.round(timeoutMs / 1000)} s ${where}.`, {
    code: 'WAIT_TIMEOUT', exitCode: ExitCode.NETWORK,
    suggestions: ['The call may still be running: look later with `ivr sessions show SESSION_ID`, or wait longer with --timeout.'],
  })
}

export async function waitOnSandbox(target: SandboxTarget, sessionId: string, opts: {timeoutMs: number; colors: Colors}): Promise<WaitOutcome> {
  let timeline: Timeline
  try {
    timeline = await waitForSession(target, sessionId, {timeoutMs: opts.timeoutMs})
  } catch (error) {
    if (error instanceof IvrError && error.code === 'TIMEOUT') throw timedOut(sessionId, opts.timeoutMs, 'on the sandbox')
    throw error
  }
  const status = timeline.summary?.sessionStatus ?? timeline.sessionStatus
  return {sessionId, sessionStatus: status, exitCode: exitFor(status), text: formatTimeline(timeline, opts.colors), timeline, summary: timeline.summary}
}

/** Whether a `sessions tail` is filling the store (so a summary can arrive at all). */
export async function receiverFor(storeFile: string): Promise<boolean> {
  return (await runningReceiver(storeFile)) !== undefined
}

export async function waitOnStore(storeFile: string, sessionId: string, opts: {timeoutMs: number; colors: Colors; showNumbers?: boolean; signal?: AbortSignal}): Promise<WaitOutcome> {
  const ev: StoredEvent | undefined = await waitForSummary({file: storeFile, sessionId, timeoutMs: opts.timeoutMs, signal: opts.signal})
  if (!ev) throw timedOut(sessionId, opts.timeoutMs, `in ${storeFile}`)
  const body = ev.body as {payload?: {sessionStatus?: string}}
  return {
    sessionId, sessionStatus: body?.payload?.sessionStatus, exitCode: exitCodeForSummary(ev),
    text: renderSession([ev], {colors: opts.colors, showNumbers: opts.showNumbers}), summary: ev.body,
  }
}
