import type {Command} from '@oclif/core'

import type {VoiceApi} from './api/client.js'
import {IvrCommand} from './base-command.js'
import {exportUi, waitOptions} from './logs-cli.js'
import {waitAndDownload, type ExportReport} from './logs/export.js'
import {renderSummary} from './logs/render.js'
import {summarizeFiles} from './logs/summarize.js'

/** What `logs export` and `logs download` share: waiting for a job, downloading, printing paths and the summary. */
export abstract class ExportJobCommand<T extends typeof Command> extends IvrCommand<T> {
  protected async fetchJob(api: VoiceApi, base: Omit<ExportReport, 'status' | 'files'>, opts: {range?: string; signal: AbortSignal}): Promise<ExportReport> {
    const f = this.flags as unknown as {timeout: string; 'poll-interval': string; 'cancel-on-interrupt'?: boolean; out?: string; force?: boolean; summary?: boolean}
    const outcome = await waitAndDownload(api, {
      jobId: base.jobId, range: opts.range, wait: waitOptions(f), cancelOnInterrupt: f['cancel-on-interrupt'], out: f.out, cwd: process.cwd(), force: f.force, signal: opts.signal,
    }, exportUi({write: (t) => process.stderr.write(t), status: (t) => this.status(t), tty: Boolean(process.stderr.isTTY), quiet: this.jsonEnabled(), interactive: this.isInteractive}))
    for (const file of outcome.files) this.out(file.path)
    const result: ExportReport = {...base, status: outcome.status, expires: outcome.expires, files: outcome.files}
    if (f.summary) {
      result.summary = await summarizeFiles(outcome.files.map((file) => file.path))
      for (const w of result.summary.warnings) this.warnUser(w)
      this.out(`\n${renderSummary(result.summary, this.colors)}`)
    }
    return result
  }

  /** A second Ctrl-C: say where the job stands and go, now. */
  protected leave(words: string): never {
    process.stderr.write(`\n${words}\n`)
    process.exit(130)
  }
}
