import type {VoiceApi} from '../api/client.js'
import type {LogExportJob, LogExportStatus} from '../api/types.js'
import {ExitCode, IvrError, usageError} from '../errors.js'
import {safeLine} from '../render/safe.js'
import {formatSeconds} from '../render/time.js'
import {parseTimeoutMs} from '../duration.js'
import {parseDuration} from './dates.js'

export const TERMINAL_STATUSES: readonly LogExportStatus[] = ['succeeded', 'failed', 'cancelled', 'empty', 'error']

/** The job as the API answered, with the status lower-cased (real answers vary in case). */
export function normalizeJob(job: LogExportJob): LogExportJob {
  const status = String(job?.status ?? '').trim().toLowerCase() as LogExportStatus
  return {...job, status, data: Array.isArray(job?.data) ? job.data.filter((u) => typeof u === 'string' && u !== '') : job?.data}
}

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status)
}

/** How to pick the work up again later: printed whenever a job is left running. */
/** A second Ctrl-C while following a job: the command ends at once (exit 130) and the job keeps running. */
export function leftAsItIs(jobId: string, state: 'left as it is' | 'running' = 'left as it is'): IvrError {
  const message = state === 'running' ? 'Interrupted; the job keeps running.' : `Export job ${safeLine(jobId)} was left as it is.`
  return new IvrError(message, {code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, suggestions: resumeHints(jobId)})
}

export function resumeHints(jobId: string): string[] {
  return [`Check it: ivr logs status ${jobId}`, `Fetch its files when ready: ivr logs download ${jobId}`, `Or stop it: ivr logs cancel ${jobId}`]
}

/**
 * The error for a job that ended without files, or undefined when it succeeded. Exit codes: empty 5
 * (nothing matched), failed and error 6 (the platform could not build the report), cancelled 1 (someone
 * stopped it; 130 is kept for the user's own Ctrl-C).
 */
export function outcomeError(jobId: string, job: LogExportJob, range?: string): IvrError | undefined {
  const id = safeLine(jobId)
  switch (job.status) {
    case 'succeeded': {
      if ((job.data ?? []).length > 0) return undefined
      return new IvrError(`Export job ${id} succeeded but lists no files to download.`, {
        code: 'EXPORT_NO_FILES', exitCode: ExitCode.NETWORK, suggestions: [`Ask again in a moment: ivr logs download ${id}`],
      })
    }
    case 'empty': {
      return new IvrError(`No calls ${range ? `in ${range}` : 'in that range'}: export job ${id} is empty, there is nothing to download.`, {
        code: 'EXPORT_EMPTY', exitCode: ExitCode.NOT_FOUND, suggestions: ['Widen the range (--from/--since, --to) or check the sub-account (--account).'],
      })
    }
    case 'failed': {
      return new IvrError(`Export job ${id} failed: the platform could not build the report.`, {
        code: 'EXPORT_FAILED', exitCode: ExitCode.NETWORK,
        suggestions: ['Try again; a shorter range or a --limit makes the job smaller.', 'If it keeps failing, give 8x8 support the job id.'],
      })
    }
    case 'error': {
      return new IvrError(`Export job ${id} ended in an internal error on the platform.`, {
        code: 'EXPORT_ERROR', exitCode: ExitCode.NETWORK, suggestions: ['Try again later; if it persists, give 8x8 support the job id.'],
      })
    }
    case 'cancelled': {
      return new IvrError(`Export job ${id} was cancelled; it has no files.`, {
        code: 'EXPORT_CANCELLED', exitCode: ExitCode.UNEXPECTED, suggestions: ['Start a new one: ivr logs export'],
      })
    }
    default: {
      return undefined
    }
  }
}

/** Thrown by waitForExport when its signal aborts (the user pressed Ctrl-C). */
export class WaitAborted extends Error {
  constructor(readonly lastJob: LogExportJob | undefined) {
    super('aborted')
    this.name = 'WaitAborted'
  }
}

export interface WaitOptions {
  /** First pause between polls; it grows by `factor` up to `maxIntervalMs`. */
  initialIntervalMs?: number
  maxIntervalMs?: number
  factor?: number
  /** Give up (with the job id in the error) after this long. */
  timeoutMs?: number
  signal?: AbortSignal
  /** Called after every poll: the job as it stands and the time since waiting began. */
  onPoll?: (job: LogExportJob, elapsedMs: number) => void
  now?: () => number
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, {once: true})
  })
}

/**
 * Polls an export job until it reaches a final status, with exponential backoff (1 s growing to 15 s by
 * default: quick jobs finish quickly, long ones cost few requests). Transient HTTP failures are retried
 * by the client itself; anything else escapes with the job id added to its suggestions.
 */
export async function waitForExport(api: Pick<VoiceApi, 'getLogExport'>, jobId: string, opts: WaitOptions = {}): Promise<{job: LogExportJob; elapsedMs: number}> {
  const now = opts.now ?? Date.now
  const started = now()
  const factor = opts.factor ?? 1.5
  const maxInterval = opts.maxIntervalMs ?? 15_000
  let interval = opts.initialIntervalMs ?? 1000
  let last: LogExportJob | undefined
  for (;;) {
    if (opts.signal?.aborted) throw new WaitAborted(last)
    try {
      last = normalizeJob(await api.getLogExport(jobId))
    } catch (error) {
      if (opts.signal?.aborted) throw new WaitAborted(last)
      if (error instanceof IvrError && error.exitCode === ExitCode.NOT_FOUND) throw jobNotFound(jobId)
      throw withJobHints(error, jobId)
    }
    const elapsedMs = now() - started
    opts.onPoll?.(last, elapsedMs)
    if (isTerminal(last.status)) return {job: last, elapsedMs}
    if (opts.timeoutMs !== undefined && elapsedMs + interval > opts.timeoutMs) {
      throw new IvrError(`Export job ${safeLine(jobId)} is still ${safeLine(last.status) || 'unfinished'} after ${formatElapsed(elapsedMs)}; it keeps running on the platform.`, {
        code: 'EXPORT_TIMEOUT', exitCode: ExitCode.NETWORK, suggestions: resumeHints(jobId),
      })
    }
    await pause(interval, opts.signal)
    interval = Math.min(maxInterval, interval * factor)
  }
}

export function jobNotFound(jobId: string): IvrError {
  return new IvrError(`No export job ${safeLine(jobId)} on this sub-account.`, {
    code: 'JOB_NOT_FOUND', exitCode: ExitCode.NOT_FOUND, suggestions: ['Check the id and --account; job ids come from `ivr logs export`.'],
  })
}

/** An error from the API while a job exists: the same error, with how to resume appended. */
export function withJobHints(error: unknown, jobId: string): unknown {
  if (error instanceof IvrError && !error.suggestions.some((s) => s.includes(jobId))) {
    error.suggestions.push(`The export job ${jobId} may still be running.`, ...resumeHints(jobId))
  }
  return error
}

/** 75 s → "1m15s"; 4 s → "4s". */
export const formatElapsed = (ms: number): string => formatSeconds(Math.max(0, ms / 1000))

/** Wait settings from --timeout and --poll-interval. */
export function waitOptions(flags: {timeout: string; 'poll-interval': string}): WaitOptions {
  const timeoutMs = parseTimeoutMs(flags.timeout)
  if (timeoutMs === undefined || timeoutMs <= 0) throw usageError(`--timeout "${flags.timeout}" is not a duration.`, ['e.g. --timeout 30m, --timeout 2h (a bare number is seconds)'])
  const initialIntervalMs = parseDuration(flags['poll-interval'])
  if (initialIntervalMs === undefined || initialIntervalMs <= 0) throw usageError(`--poll-interval "${flags['poll-interval']}" is not a duration.`, ['e.g. --poll-interval 2s'])
  return {timeoutMs, initialIntervalMs, maxIntervalMs: Math.max(15_000, initialIntervalMs)}
}
