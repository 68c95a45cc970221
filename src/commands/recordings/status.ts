import {Args} from '@oclif/core'

import type {Recording} from '../../lib/api/types.js'
import {IvrCommand, utcFlag} from '../../cli/base-command.js'
import {recordingsOf} from '../../lib/recordings/config.js'
import {renderRows} from '../../lib/render/views.js'
import {listTime} from '../../lib/render/time.js'

export default class RecordingsStatus extends IvrCommand<typeof RecordingsStatus> {
  static override summary = 'Show the recordings of a session and whether they were pushed.'
  static override description = 'One line per recording: id, status, duration, start time and the file URL. A session without recordings exits 5.'
  static override examples = ['<%= config.bin %> recordings status 4a1f2c3d-0b6e-4d0a-9a53-2f7c1e8b9d10']
  static override args = {
    sessionId: Args.string({description: 'The session id (from send-callflow or sessions list).', required: true}),
  }
  static override flags = {...utcFlag}

  async run(): Promise<{sessionId: string; recordings: Recording[]}> {
    const recordings = await recordingsOf(await this.api(), this.args.sessionId)
    const c = this.colors
    this.out(renderRows([
      {header: 'Recording id', get: (r: Recording) => r.recordingId},
      {header: 'Status', get: (r: Recording) => r.status, style: (t: string) => (/complete|uploaded|pushed|success/i.test(t) ? c.green(t) : /fail|error/i.test(t) ? c.red(t) : c.yellow(t))},
      {header: 'Duration', get: (r: Recording) => (r.duration === undefined ? '' : `${r.duration}s`)},
      {header: 'Started', get: (r: Recording) => listTime(r.startRecordingTime, this.flags.utc)},
      {header: 'File', get: (r: Recording) => r.externalFileUrl},
    ], recordings, {colors: c, width: this.tableWidth}))
    return {sessionId: this.args.sessionId.trim(), recordings}
  }
}
