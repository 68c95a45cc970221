import {Flags} from '@oclif/core'

import {utcFlag} from '../../cli/base-command.js'
import {SessionsCommand, storeFlag} from '../../cli/sessions-command.js'
import {renderRows} from '../../lib/render/views.js'
import {listSessions, parseSince, parseStatuses} from '../../lib/sessions/query.js'
import type {SessionRow} from '../../lib/sessions/row.js'
import {sessionColumns, sessionCsvColumns} from '../../lib/sessions/view.js'

export default class SessionsList extends SessionsCommand<typeof SessionsList> {
  static override summary = 'List stored session summaries, newest first (by when each session ended).'
  static override description = 'Reads the local store that `ivr sessions tail` fills (streamed: any size). Phone numbers are masked unless --show-numbers.'
  static override examples = [
    '<%= config.bin %> sessions list --since 1h',
    '<%= config.bin %> sessions list --status FAILED,ERROR --limit 100',
    '<%= config.bin %> sessions list --since 2026-11-01 --csv > sessions.csv',
  ]
  static override flags = {
    since: Flags.string({summary: 'Only sessions that ended since: a span (30m, 1h, 2d, 1w), a day (2026-11-01) or an ISO date-time.'}),
    status: Flags.string({summary: 'Only these statuses (comma separated), e.g. FAILED,ERROR.'}),
    limit: Flags.integer({summary: 'At most this many (the newest); 0 for all.', default: 50, min: 0}),
    csv: Flags.boolean({summary: 'Print CSV (full ISO times) instead of a table.', exclusive: ['json']}),
    'show-numbers': Flags.boolean({summary: 'Show phone numbers whole.'}),
    ...utcFlag,
    ...storeFlag,
  }

  async run(): Promise<{store: string; sessions: SessionRow[]}> {
    const f = this.flags
    const since = f.since ? parseSince(f.since) : undefined
    const statuses = parseStatuses(f.status)
    const file = await this.storeFile()
    const sessions = await listSessions(file, {since, statuses, limit: f.limit, warn: (m) => this.warnUser(m)})
    if (sessions.length === 0 && !f.csv) this.status(`No session summaries${since || statuses ? ' match' : ' stored yet'} (${file}).`)
    else if (f.csv) this.out(renderRows(sessionCsvColumns({showNumbers: f['show-numbers']}), sessions, {csv: true, colors: this.colors}))
    else this.out(renderRows(sessionColumns({colors: this.colors, showNumbers: f['show-numbers'], utc: f.utc}), sessions, {colors: this.colors, width: this.tableWidth}))
    return {store: file, sessions}
  }
}
