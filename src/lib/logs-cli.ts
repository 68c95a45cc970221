import {Flags} from '@oclif/core'

import {usageError} from './errors.js'
import {parseTimeoutMs} from './duration.js'
import {parseDuration} from './logs/dates.js'
import type {ExportUi} from './logs/export.js'
import type {WaitOptions} from './logs/jobs.js'
import {startProgress} from './logs/progress.js'

/** Flags shared by the commands that wait for a job and download its files (`logs export`, `logs download`). */
export const fetchFlags = {
  out: Flags.string({char: 'o', summary: 'Where the CSV files go: a folder (default: the current one) or a file name ending in .csv.'}),
  force: Flags.boolean({summary: 'Download again files that are already on disk.'}),
  summary: Flags.boolean({summary: 'Print calls, answered, billable minutes and cost, by day, destination country and product.'}),
  'cancel-on-interrupt': Flags.boolean({summary: 'On Ctrl-C while waiting, cancel the job without asking.'}),
  timeout: Flags.string({summary: 'Stop waiting after this long (e.g. 30m, 2h); the job keeps running.', default: '1h'}),
  'poll-interval': Flags.string({summary: 'First pause between status checks (it grows up to 15 s).', default: '1s', hidden: true}),
}

/** Wait settings from --timeout and --poll-interval. */
export function waitOptions(flags: {timeout: string; 'poll-interval': string}): WaitOptions {
  const timeoutMs = parseTimeoutMs(flags.timeout)
  if (timeoutMs === undefined || timeoutMs <= 0) throw usageError(`--timeout "${flags.timeout}" is not a duration.`, ['e.g. --timeout 30m, --timeout 2h (a bare number is seconds)'])
  const initialIntervalMs = parseDuration(flags['poll-interval'])
  if (initialIntervalMs === undefined || initialIntervalMs <= 0) throw usageError(`--poll-interval "${flags['poll-interval']}" is not a duration.`, ['e.g. --poll-interval 2s'])
  return {timeoutMs, initialIntervalMs, maxIntervalMs: Math.max(15_000, initialIntervalMs)}
}

/**
 * The terminal side of an export: progress through `write` (stderr; nothing under --json), redrawn in
 * place when `tty`, and the cancel question when `interactive`.
 */
export function exportUi(opts: {write: (text: string) => void; status: (text: string) => void; tty: boolean; quiet: boolean; interactive: boolean}): ExportUi {
  const write = (text: string) => {
    if (!opts.quiet) opts.write(text)
  }
  return {
    progress: startProgress({write, tty: opts.tty && !opts.quiet}),
    info: opts.status,
    confirmCancel: opts.interactive
      ? async (jobId) => {
        const {confirm} = await import('@inquirer/prompts')
        return confirm({message: `Cancel export job ${jobId} on the platform? (No leaves it running.)`, default: false})
      }
      : undefined,
  }
}

/**
 * Ctrl-C while a job runs: the first one aborts the wait (the flow then asks, cancels or leaves the job
 * and says its id); a second one, if the first is stuck, prints the id and leaves at once.
 */
export function onInterrupt(leave: () => void): {signal: AbortSignal; dispose: () => void} {
  const controller = new AbortController()
  let count = 0
  const handler = () => {
    count++
    if (count === 1) controller.abort()
    else leave()
  }
  process.on('SIGINT', handler)
  return {signal: controller.signal, dispose: () => process.off('SIGINT', handler)}
}
