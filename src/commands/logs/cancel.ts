import {Args, Flags} from '@oclif/core'

import {IvrCommand} from '../../cli/base-command.js'
import {confirmOrRefuse} from '../../lib/confirm.js'
import {exportStatus} from '../../lib/logs/export.js'
import {isTerminal, jobNotFound} from '../../lib/logs/jobs.js'
import {ExitCode, IvrError} from '../../lib/errors.js'
import {safeLine} from '../../lib/render/safe.js'

export default class LogsCancel extends IvrCommand<typeof LogsCancel> {
  static override summary = 'Cancel an export job that is still queued or running.'
  static override description = 'Asks for confirmation on a terminal; elsewhere --yes is required. A job that already ended (succeeded, empty, failed, error, cancelled) is left as it is and reported; cancelling it again is not an error.'
  static override examples = ['<%= config.bin %> logs cancel 7f3a9c0e21b4', '<%= config.bin %> logs cancel 7f3a9c0e21b4 --yes']
  static override flags = {yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'})}
  static override args = {
    jobId: Args.string({description: 'The export job id.', required: true}),
  }

  async run(): Promise<{jobId: string; cancelled: boolean; status: string}> {
    const {jobId} = this.args
    const api = await this.api()
    const before = await exportStatus(api, jobId)
    if (isTerminal(before.status)) {
      this.out(`Export job ${safeLine(jobId)} had already ended (${safeLine(before.status)}); nothing to cancel.`)
      return {jobId, cancelled: before.status === 'cancelled', status: before.status}
    }
    await confirmOrRefuse({yes: this.flags.yes, interactive: this.isInteractive, question: `Cancel export job ${safeLine(jobId)} (${safeLine(before.status)})?`})
    try {
      await api.cancelLogExport(jobId)
    } catch (error) {
      if (error instanceof IvrError && error.exitCode === ExitCode.NOT_FOUND) throw jobNotFound(jobId)
      throw error
    }
    const after = await exportStatus(api, jobId).catch(() => ({status: 'cancelled' as const}))
    this.out(`Cancelled export job ${safeLine(jobId)}.`)
    return {jobId, cancelled: true, status: after.status}
  }
}
