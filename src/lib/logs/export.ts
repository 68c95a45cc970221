import path from 'node:path'

import type {VoiceApi} from '../api/client.js'
import type {LogExportJob, LogExportRequest} from '../api/types.js'
import {ExitCode, IvrError, invalidInput} from '../errors.js'
import {safeLine} from '../render/safe.js'
import type {ExportRange} from './dates.js'
import {DownloadAborted, downloadFiles, planDownload, type DownloadedFile} from './download.js'
import {jobNotFound, normalizeJob, outcomeError, resumeHints, waitForExport, WaitAborted, withJobHints, type WaitOptions} from './jobs.js'
import {startProgress, type Progress} from './progress.js'
import type {LogSummary} from './summarize.js'

/** How the export flow talks to the user; the command supplies it (src/lib never prints). */
export interface ExportUi {
  progress: Progress
  /** A status line on stderr. */
  info(text: string): void
  /** Asks whether to cancel the job after Ctrl-C; absent without a terminal. */
  confirmCancel?: (jobId: string) => Promise<boolean>
}

/**
 * The terminal side of an export: progress through `write` (stderr; nothing when `quiet`, under
 * --json), redrawn in place when `tty`, and the cancel question when the command can ask one.
 */
export function exportUi(opts: {write: (text: string) => void; status: (text: string) => void; tty: boolean; quiet: boolean; confirm?: (message: string) => Promise<boolean>}): ExportUi {
  const write = (text: string) => {
    if (!opts.quiet) opts.write(text)
  }
  const {confirm} = opts
  return {
    progress: startProgress({write, tty: opts.tty && !opts.quiet}),
    info: opts.status,
    confirmCancel: confirm ? (jobId) => confirm(`Cancel export job ${jobId} on the platform? (No leaves it running.)`) : undefined,
  }
}

/** What `logs export` and `logs download` return (their --json). */
export interface ExportReport {
  jobId: string
  status: string
  from?: string
  to?: string
  limit?: number
  expires?: string
  files: DownloadedFile[]
  summary?: LogSummary
}

export interface ExportOutcome {
  jobId: string
  status: string
  expires?: string
  files: DownloadedFile[]
}

/** The request body for a range and a limit (0 = no limit, as in the API). */
export function exportRequest(range: ExportRange, limit: number | undefined): LogExportRequest {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw invalidInput(`--limit must be a whole number ≥ 0 (0 means no limit), not ${limit}.`)
  const body: LogExportRequest = {}
  if (range.from) body.from = range.from.api
  if (range.to) body.to = range.to.api
  if (limit !== undefined) body.limit = limit
  return body
}

/** Starts a job and returns its id (an answer without one is the platform's fault: exit 6). */
export async function startExport(api: Pick<VoiceApi, 'startLogExport'>, body: LogExportRequest): Promise<string> {
  const res = await api.startLogExport(body)
  // A remote string that ends up on the terminal and in file names: no control characters.
  const jobId = typeof res?.jobId === 'string' ? safeLine(res.jobId).trim() : ''
  if (!jobId) throw new IvrError('The platform accepted the export but returned no job id.', {code: 'NO_JOB_ID', exitCode: ExitCode.NETWORK, suggestions: ['Try again in a moment.']})
  return jobId
}

/** The job's status once, normalized (unknown job ids: exit 5 with a hint). */
export async function exportStatus(api: Pick<VoiceApi, 'getLogExport'>, jobId: string): Promise<LogExportJob> {
  try {
    return normalizeJob(await api.getLogExport(jobId))
  } catch (error) {
    if (error instanceof IvrError && error.exitCode === ExitCode.NOT_FOUND) throw jobNotFound(jobId)
    throw error
  }
}

/** After Ctrl-C while waiting: cancel (asked, or by --cancel-on-interrupt) or leave it running, and always say its id. */
async function interrupted(api: Pick<VoiceApi, 'cancelLogExport'>, jobId: string, cancelOnInterrupt: boolean, ui: ExportUi): Promise<never> {
  ui.progress.stop()
  const id = safeLine(jobId)
  let cancel = cancelOnInterrupt
  if (!cancel && ui.confirmCancel) cancel = await ui.confirmCancel(jobId).catch(() => false)
  if (cancel) {
    try {
      await api.cancelLogExport(jobId)
    } catch (error) {
      throw new IvrError(`Interrupted. Cancelling export job ${id} failed (${safeLine((error as Error)?.message)}); it may still be running.`, {
        code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, suggestions: resumeHints(jobId),
      })
    }
    throw new IvrError(`Interrupted: export job ${id} was cancelled.`, {code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED})
  }
  throw new IvrError(`Interrupted. Export job ${id} is still running on the platform.`, {code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, suggestions: resumeHints(jobId)})
}

/**
 * Waits for a job (progress on the way), maps a final status other than `succeeded` onto its error,
 * then downloads every file where `out` says. Used by `logs export` and `logs download` alike.
 */
export async function waitAndDownload(
  api: Pick<VoiceApi, 'getLogExport' | 'cancelLogExport' | 'stream'>,
  opts: {jobId: string; range?: string; wait?: WaitOptions; cancelOnInterrupt?: boolean; out?: string; cwd: string; force?: boolean; signal?: AbortSignal; now?: () => number},
  ui: ExportUi,
): Promise<ExportOutcome> {
  const {jobId} = opts
  const short = safeLine(jobId.length > 16 ? `${jobId.slice(0, 12)}…` : jobId)
  let job: LogExportJob
  try {
    ;({job} = await waitForExport(api, jobId, {
      ...opts.wait,
      signal: opts.signal,
      onPoll: (j) => ui.progress.set(j.status, `Export job ${short}: ${safeLine(j.status) || 'unknown'}`),
    }))
  } catch (error) {
    if (error instanceof WaitAborted) return interrupted(api, jobId, Boolean(opts.cancelOnInterrupt), ui)
    ui.progress.stop()
    throw error
  }
  ui.progress.stop()
  const failure = outcomeError(jobId, job, opts.range)
  if (failure) throw failure
  const expiresAt = job.expires ? Date.parse(job.expires) : Number.NaN
  if (!Number.isNaN(expiresAt) && expiresAt < (opts.now ?? Date.now)()) {
    throw new IvrError(`The files of export job ${safeLine(jobId)} expired on ${safeLine(job.expires)}.`, {
      code: 'EXPORT_EXPIRED', exitCode: ExitCode.NOT_FOUND, suggestions: ['Start a new export for the same range: ivr logs export --from … --to …'],
    })
  }
  const urls = job.data ?? []
  ui.info(`Export job ${short} succeeded: ${urls.length} file${urls.length === 1 ? '' : 's'}${job.expires ? `, links valid until ${safeLine(job.expires)}` : ''}.`)
  const plan = await planDownload(urls, {jobId, out: opts.out, cwd: opts.cwd})
  let files: DownloadedFile[]
  try {
    files = await downloadFiles(api, plan, {
      jobId, force: opts.force, signal: opts.signal, outHint: opts.out ?? opts.cwd,
      onProgress: (p) => ui.progress.set(`file-${p.index}`,
        `Downloading ${p.count > 1 ? `${p.index + 1}/${p.count} ` : ''}${path.basename(p.path)}${p.totalBytes ? ` (${formatBytes(p.totalBytes)})` : ''}`,
        `${formatBytes(p.bytes)}${p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : ''}`),
      onFile: (f) => {
        ui.progress.stop()
        if (f.outcome === 'kept') ui.info(`Already downloaded: ${f.path}`)
        if (f.guarded) ui.info(`${f.path}: ${f.guarded} cell${f.guarded === 1 ? '' : 's'} a spreadsheet would run as a formula, defused with a leading apostrophe.`)
        if (f.unguarded) ui.info(`${f.path} is a zip archive, saved as it came: its cells are not checked for formulas.`)
      },
    })
  } catch (error) {
    ui.progress.stop()
    if (error instanceof DownloadAborted) {
      throw new IvrError(`Interrupted after ${error.done.length} of ${plan.length} file${plan.length === 1 ? '' : 's'}; what arrived is kept.`, {
        code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED,
        suggestions: [`Resume: ivr logs download ${jobId} --out ${opts.out ?? opts.cwd}`],
      })
    }
    throw withJobHints(error, jobId)
  }
  return {jobId, status: job.status, expires: job.expires, files}
}

/** 1536 → "1.5 KB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n
  let u = -1
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`
}
