import {Args, Flags} from '@oclif/core'

import type {LogExportJob} from '../../lib/api/types.js'
import {ExportJobCommand} from '../../cli/logs-command.js'
import {exportStatus} from '../../lib/logs/export.js'
import {isTerminal, leftAsItIs, outcomeError, resumeHints, waitForExport, waitOptions, WaitAborted} from '../../lib/logs/jobs.js'
import {ExitCode, IvrError} from '../../lib/errors.js'
import {safeLine} from '../../lib/render/safe.js'

export default class LogsStatus extends ExportJobCommand<typeof LogsStatus> {
  static override summary = 'Show the status of an export job.'
  static override description = 'Status is one of queued, running, succeeded, failed, cancelled, empty, error. A succeeded job lists how many files it has and until when their links are valid (the links themselves are in --json). Exits 0 whenever the status could be read; --wait waits for a final status first.'
  static override examples = ['<%= config.bin %> logs status 7f3a9c0e21b4', '<%= config.bin %> logs status 7f3a9c0e21b4 --wait --json']
  static override args = {
    jobId: Args.string({description: 'The export job id.', required: true}),
  }
  static override flags = {
    wait: Flags.boolean({summary: 'Wait until the job reaches a final status.'}),
    timeout: Flags.string({summary: 'With --wait: stop waiting after this long.', default: '1h'}),
    'poll-interval': Flags.string({summary: 'First pause between status checks.', default: '1s', hidden: true}),
  }

  async run(): Promise<LogExportJob & {jobId: string}> {
    const {jobId} = this.args
    const api = await this.api()
    let job = await exportStatus(api, jobId)
    if (this.flags.wait && !isTerminal(job.status)) {
      const ui = this.exportUi(false)
      const interrupt = this.onInterrupt(() => leftAsItIs(jobId, 'running'))
      try {
        ;({job} = await interrupt.race(waitForExport(api, jobId, {...waitOptions(this.flags), signal: interrupt.signal, onPoll: (j) => ui.progress.set(j.status, `Export job: ${safeLine(j.status)}`)})))
      } catch (error) {
        if (error instanceof WaitAborted) throw new IvrError('Interrupted; the job keeps running.', {code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, suggestions: resumeHints(jobId)})
        throw error
      } finally {
        ui.progress.stop()
        interrupt.dispose()
      }
    }
    const files = job.data?.length ?? 0
    const lines = [`Job:      ${safeLine(jobId)}`, `Status:   ${safeLine(job.status)}`]
    if (job.status === 'succeeded') lines.push(`Files:    ${files}${job.expires ? ` (links valid until ${safeLine(job.expires)})` : ''}`)
    this.out(lines.join('\n'))
    if (job.status === 'succeeded') this.status(`Download them: ivr logs download ${jobId}`)
    else if (!isTerminal(job.status)) this.status(`Wait and download: ivr logs download ${jobId}`)
    else this.status(outcomeError(jobId, job)?.message ?? '')
    return {jobId, ...job}
  }
}
