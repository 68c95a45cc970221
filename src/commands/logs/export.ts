import {Flags} from '@oclif/core'

import {interrupted} from '../../lib/errors.js'
import {ExportJobCommand, fetchFlags} from '../../cli/logs-command.js'
import {resolveRange} from '../../lib/logs/dates.js'
import {exportRequest, startExport, type ExportReport} from '../../lib/logs/export.js'
import {leftAsItIs, resumeHints} from '../../lib/logs/jobs.js'

export default class LogsExport extends ExportJobCommand<typeof LogsExport> {
  static override summary = 'Export call records: start a job, wait for it, download the CSV files, and sum up the cost.'
  static override description = `8x8 hands out call records only through export jobs. This starts one, shows its progress on stderr, downloads every file when it is ready (streamed to disk; an interrupted download resumes), and prints the paths. With --summary it also prints calls, answered calls, billable minutes and cost per currency, by day, destination country and product.

Dates: a day (2026-11-20, UTC; as --to it takes in the whole day), a UTC time (2026-11-20T13:00:00Z), a time with an offset (2026-11-20T13:00:00+07:00), or today, yesterday, now, or an age such as 7d, 36h, 2w. Without dates the API's default applies (the last 7 days); with only a start, the end is now.

Outcomes: succeeded exits 0; empty (no calls in the range) 5; failed and error 6; cancelled 1; Ctrl-C 130. Ctrl-C asks whether to cancel the job (or cancels with --cancel-on-interrupt); a job left running is always named, with how to resume it.`
  static override examples = [
    '<%= config.bin %> logs export --since 7d --summary',
    '<%= config.bin %> logs export --from 2026-11-01 --to 2026-12-01 --out reports/',
    '<%= config.bin %> logs export --from yesterday --to today --out yesterday.csv --json',
    '<%= config.bin %> logs export --since 30d --no-wait',
  ]
  static override flags = {
    from: Flags.string({summary: 'Start of the range (a day, a time, or e.g. 7d, yesterday).'}),
    since: Flags.string({summary: 'Same as --from (e.g. --since 7d).', exclusive: ['from']}),
    to: Flags.string({summary: 'End of the range (default: now, when a start is given).'}),
    limit: Flags.integer({summary: 'At most this many records (0 = no limit, the default).', min: 0}),
    wait: Flags.boolean({summary: 'Wait for the job and download its files; --no-wait only prints the job id.', default: true, allowNo: true}),
    ...fetchFlags,
  }

  async run(): Promise<ExportReport> {
    const range = resolveRange({from: this.flags.from, to: this.flags.to, since: this.flags.since}, new Date())
    const body = exportRequest(range, this.flags.limit)
    const api = await this.api()
    // Listening for Ctrl-C before the job exists: pressed while it is being created, it still ends
    // with the new job's id on screen (and the cancel question) rather than a job nobody knows of.
    let jobId: string | undefined
    const interrupt = this.onInterrupt(() => (jobId ? leftAsItIs(jobId) : interrupted()))
    try {
      jobId = await interrupt.race(startExport(api, body))
    } catch (error) {
      interrupt.dispose()
      throw error
    }
    const base = {jobId, from: body.from, to: body.to, limit: body.limit}
    if (!this.flags.wait) {
      interrupt.dispose()
      this.out(jobId)
      this.status(`Started export job for ${range.description}.\n${resumeHints(jobId).join('\n')}`)
      return {...base, status: 'queued', files: []}
    }
    this.status(`Started export job ${jobId} for ${range.description}.`)
    try {
      return await interrupt.race(this.fetchJob(api, base, {range: range.description, signal: interrupt.signal}))
    } finally {
      interrupt.dispose()
    }
  }
}
