import {Flags} from '@oclif/core'

import {IvrCommand} from '../../../cli/base-command.js'
import {confirmOrRefuse} from '../../../lib/confirm.js'
import {readPushConfig} from '../../../lib/recordings/config.js'
import {safeLine} from '../../../lib/render/safe.js'

export default class RecordingsConfigDelete extends IvrCommand<typeof RecordingsConfigDelete> {
  static override changesState = true
  static override summary = 'Remove the recording push destination.'
  static override description = 'Asks for confirmation on a terminal; elsewhere --yes is required. With nothing configured it says so and exits 0.'
  static override examples = ['<%= config.bin %> recordings config delete', '<%= config.bin %> recordings config delete --yes']
  static override flags = {
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<{deleted: boolean; host?: string}> {
    const api = await this.api()
    const current = await readPushConfig(api)
    if (!current.configured) {
      this.out('No recording push destination is configured; nothing to delete.')
      return {deleted: false}
    }
    await confirmOrRefuse({yes: this.flags.yes, interactive: this.isInteractive, question: `Stop pushing recordings to ${safeLine(current.host)}?`})
    await api.deleteRecordingPushConfig()
    this.out(`Deleted the recording push destination (${safeLine(current.host)}).`)
    return {deleted: true, host: current.host}
  }
}
