import {Args} from '@oclif/core'

import {ExportJobCommand, fetchFlags} from '../../cli/logs-command.js'
import type {ExportReport} from '../../lib/logs/export.js'
import {leftAsItIs} from '../../lib/logs/jobs.js'

export default class LogsDownload extends ExportJobCommand<typeof LogsDownload> {
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
    const api = await this.api()
    const interrupt = this.onInterrupt(() => leftAsItIs(jobId))
    try {
      return await interrupt.race(this.fetchJob(api, {jobId}, {signal: interrupt.signal}))
    } finally {
      interrupt.dispose()
    }
  }
}
