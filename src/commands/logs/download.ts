import {Args} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {fetchFlags, exportUi, onInterrupt, waitOptions} from '../../lib/logs/cli.js'
import {waitAndDownload, type ExportReport} from '../../lib/logs/export.js'
import {resumeHints} from '../../lib/logs/jobs.js'
import {renderSummary} from '../../lib/logs/render.js'
import {summarizeFiles} from '../../lib/logs/summarize.js'

export default class LogsDownload extends IvrCommand<typeof LogsDownload> {
  static override summary = 'Download the files of an export job (waiting for it if it is still running).'
  static override description = `Finishes what \`ivr logs export --no-wait\` started, or what an interrupted export left: waits for the job, then downloads its files. Files already on disk are kept and partial ones are resumed; --force downloads everything again. Exit codes as for \`ivr logs export\`.`
  static override examples = [
    '<%= config.bin %> logs download 7f3a9c0e21b4',
    '<%= config.bin %> logs download 7f3a9c0e21b4 --out reports/ --summary',
  ]
  static override args = {
    jobId: Args.string({description: 'The export job id (printed by `ivr logs export`).', required: true}),
  }
  static override flags = {...fetchFlags}

  async run(): Promise<ExportReport> {
    const {jobId} = this.args
    const wait = waitOptions(this.flags)
    const api = await this.api()
    const interrupt = onInterrupt(() => this.leave(`Export job ${jobId} was left as it is.\n${resumeHints(jobId).join('\n')}`))
    try {
      const outcome = await waitAndDownload(api, {
        jobId, wait, cancelOnInterrupt: this.flags['cancel-on-interrupt'], out: this.flags.out, cwd: process.cwd(), force: this.flags.force, signal: interrupt.signal,
      }, exportUi({write: (t) => process.stderr.write(t), status: (t) => this.status(t), tty: Boolean(process.stderr.isTTY), quiet: this.jsonEnabled(), interactive: this.isInteractive}))
      for (const f of outcome.files) this.out(f.path)
      const result: ExportReport = {jobId, status: outcome.status, expires: outcome.expires, files: outcome.files}
      if (this.flags.summary) {
        result.summary = await summarizeFiles(outcome.files.map((f) => f.path))
        for (const w of result.summary.warnings) this.warnUser(w)
        this.out(`\n${renderSummary(result.summary, this.colors)}`)
      }
      return result
    } finally {
      interrupt.dispose()
    }
  }

  /** A second Ctrl-C: say where the job stands and go, now. */
  private leave(words: string): never {
    process.stderr.write(`\n${words}\n`)
    process.exit(130)
  }
}
