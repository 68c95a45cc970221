import {Flags} from '@oclif/core'

import {IvrCommand} from '../../../cli/base-command.js'
import {usageError} from '../../../lib/errors.js'
import {buildPushConfig, PUSH_PROTOCOLS, readPushConfig, renderPushConfig, viewOf, type PushConfigView} from '../../../lib/recordings/config.js'
import {safeLine} from '../../../lib/render/safe.js'
import {readSecretFromStdin} from '../../../lib/stdin.js'

export default class RecordingsConfigSet extends IvrCommand<typeof RecordingsConfigSet> {
  static override changesState = true
  static override summary = 'Set where call recordings are pushed: protocol, host, port, user, path, password.'
  static override description = `Flags not given keep their current value, so --host alone moves only the host. The port defaults to 21 for ftp and 22 for sftp.

The password is never taken on the command line: on a terminal it is asked for (masked; empty sends none), or it is read from standard input with --password-stdin. It is never printed; the answer shows only whether one is set. The platform cannot return a stored password, so each set either sends a new one or none.`
  static override examples = [
    '<%= config.bin %> recordings config set --protocol sftp --host files.example.com --user ivr --path /recordings',
    'printf %s "$SFTP_PASSWORD" | <%= config.bin %> recordings config set --protocol sftp --host files.example.com --user ivr --password-stdin',
    '<%= config.bin %> recordings config set --path /recordings/2026 --no-password',
  ]
  static override flags = {
    protocol: Flags.string({summary: 'ftp or sftp.', options: [...PUSH_PROTOCOLS]}),
    host: Flags.string({summary: 'Host name or IP address of the server.'}),
    port: Flags.integer({summary: 'Port (default 21 for ftp, 22 for sftp).', min: 1, max: 65_535}),
    user: Flags.string({summary: 'User name on the server.'}),
    path: Flags.string({summary: 'Folder the recordings go to.'}),
    'password-stdin': Flags.boolean({summary: 'Read the password from standard input.', exclusive: ['no-password']}),
    'no-password': Flags.boolean({summary: 'Send no password (and do not ask for one).'}),
  }

  async run(): Promise<PushConfigView> {
    const f = this.flags
    if ([f.protocol, f.host, f.port, f.user, f.path].every((v) => v === undefined) && !f['password-stdin'] && !this.isInteractive) {
      throw usageError('Nothing to set.', ['Give at least one of --protocol, --host, --port, --user, --path, --password-stdin.'])
    }
    const api = await this.api()
    const current = await readPushConfig(api)
    // Checked before the password is asked for, so a typo does not cost a prompt.
    buildPushConfig(current, {protocol: f.protocol, host: f.host, port: f.port, username: f.user, path: f.path}, undefined)
    let password: string | undefined
    if (f['password-stdin']) {
      password = await readSecretFromStdin(process.stdin, 'The password')
    } else if (!f['no-password'] && this.isInteractive) {
      const {password: ask} = await import('@inquirer/prompts')
      password = await ask({message: 'Password (empty for none):', mask: '*'})
    }
    const body = buildPushConfig(current, {protocol: f.protocol, host: f.host, port: f.port, username: f.user, path: f.path}, password)
    const res = await api.setRecordingPushConfig(body)
    // Some answers carry only a status: then what was sent is what is set.
    const answered = viewOf(res)
    const view = answered.configured ? answered : {...viewOf({protocol: body.protocol, host: body.host, port: body.port, username: body.username, path: body.path}), passwordSet: body.password !== undefined}
    this.out(`Recordings are now pushed to:\n${renderPushConfig(view, safeLine)}`)
    if (current.passwordSet && body.password === undefined && !view.passwordSet) this.warnUser('No password was sent, and the destination now has none.')
    return view
  }
}
