import {IvrCommand} from '../../../cli/base-command.js'
import {readPushConfig, renderPushConfig, type PushConfigView} from '../../../lib/recordings/config.js'
import {safeLine} from '../../../lib/render/safe.js'

export default class RecordingsConfigShow extends IvrCommand<typeof RecordingsConfigShow> {
  static override summary = 'Show where call recordings are pushed (FTP/SFTP destination).'
  static override description = 'The password is never shown, only whether one is set. Nothing configured is not an error (exit 0, "configured": false).'
  static override examples = ['<%= config.bin %> recordings config show', '<%= config.bin %> recordings config show --json']

  async run(): Promise<PushConfigView> {
    const view = await readPushConfig(await this.api())
    this.out(renderPushConfig(view, safeLine))
    if (!view.configured) this.status('Set one with: ivr recordings config set --protocol sftp --host HOST --user USER --path /recordings')
    return view
  }
}
