import {Flags, type Command} from '@oclif/core'

import type {VoiceApi} from '../lib/api/client.js'
import {IvrCommand} from './base-command.js'
import {exportUi, waitAndDownload, type ExportReport, type ExportUi} from '../lib/logs/export.js'
import {waitOptions} from '../lib/logs/jobs.js'
import {renderSummary} from '../lib/logs/render.js'
import {summarizeFiles} from '../lib/logs/summarize.js'

/** Flags shared by the commands that wait for a job and download its files (`logs export`, `logs download`). */
export const fetchFlags = {
  out: Flags.string({char: 'o', summary: 'Where the CSV files go: a folder (default: the current one) or a file name ending in .csv.'}),
  force: Flags.boolean({summary: 'Download again files that are already on disk.'}),
  summary: Flags.boolean({summary: 'Print calls, answered, billable minutes and cost, by day, destination country and product.'}),
  'cancel-on-interrupt': Flags.boolean({summary: 'On Ctrl-C while waiting, cancel the job without asking.'}),
  timeout: Flags.string({summary: 'Stop waiting after this long (e.g. 30m, 2h); the job keeps running.', default: '1h'}),
  'poll-interval': Flags.string({summary: 'First pause between status checks (it grows up to 15 s).', default: '1s', hidden: true}),
}

/** What the commands that follow an export job share: waiting for it, downloading, printing paths and the summary. */
export abstract class ExportJobCommand<T extends typeof Command> extends IvrCommand<T> {
  protected async fetchJob(api: VoiceApi, base: Omit<ExportReport, 'status' | 'files'>, opts: {range?: string; signal: AbortSignal}): Promise<ExportReport> {
    const f = this.flags as unknown as {timeout: string; 'poll-interval': string; 'cancel-on-interrupt'?: boolean; out?: string; force?: boolean; summary?: boolean}
    const outcome = await waitAndDownload(api, {
      jobId: base.jobId, range: opts.range, wait: waitOptions(f), cancelOnInterrupt: f['cancel-on-interrupt'], out: f.out, cwd: process.cwd(), force: f.force, signal: opts.signal,
    }, this.exportUi(this.isInteractive))
    for (const file of outcome.files) this.out(file.path)
    const result: ExportReport = {...base, status: outcome.status, expires: outcome.expires, files: outcome.files}
    if (f.summary) {
      result.summary = await summarizeFiles(outcome.files.map((file) => file.path))
      for (const w of result.summary.warnings) this.warnUser(w)
      this.out(`\n${renderSummary(result.summary, this.colors)}`)
    }
    return result
  }

  /** The export's progress on stderr (nothing under --json), and the cancel question when `ask`. */
  protected exportUi(ask: boolean): ExportUi {
    return exportUi({
      write: (t) => process.stderr.write(t), status: (t) => this.status(t), tty: Boolean(process.stderr.isTTY), quiet: this.jsonEnabled(),
      confirm: ask ? async (message) => (await import('@inquirer/prompts')).confirm({message, default: false}) : undefined,
    })
  }
}
