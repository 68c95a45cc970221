import {Flags} from '@oclif/core'

import {SessionsCommand, storeFlag} from '../../cli/sessions-command.js'
import {computeStats, GROUPINGS, parseSince, parseStatuses, type Grouping, type SessionStats} from '../../lib/sessions/query.js'
import {renderStats} from '../../lib/sessions/view.js'
import {charsetOf} from '../../lib/render/chart.js'
import {words} from '../../lib/glossary.js'

export default class SessionsStats extends SessionsCommand<typeof SessionsStats> {
  static override summary = 'Statistics of stored sessions: answer rate, minutes, durations, call quality, top errors, and a chart.'
  static override description = `Answered means the first leg was connected. Durations (median, p95) are over answered sessions. "Billable-looking" minutes count each leg's whole minutes started, as per-minute billing would; the log export (\`ivr logs\`) has the real prices. --by hour groups by hour of the day (local time), --by day by date.` + words('legs', 'MOS')
  static override examples = [
    '<%= config.bin %> sessions stats --since 1d',
    '<%= config.bin %> sessions stats --by hour --since 1w',
    '<%= config.bin %> sessions stats --by country --json',
  ]
  static override flags = {
    since: Flags.string({summary: 'Only sessions that ended since: a span (30m, 1h, 2d, 1w), a day (2026-11-01) or an ISO date-time.'}),
    status: Flags.string({summary: 'Only these statuses (comma separated).'}),
    by: Flags.string({summary: 'Grouping for the chart.', options: [...GROUPINGS], default: 'status'}),
    ...storeFlag,
  }

  async run(): Promise<SessionStats & {store: string}> {
    const f = this.flags
    const since = f.since ? parseSince(f.since) : undefined
    const statuses = parseStatuses(f.status)
    const file = await this.storeFile()
    const stats = await computeStats(file, {since, statuses, by: f.by as Grouping, warn: (m) => this.warnUser(m)})
    if (stats.sessions === 0) this.status(`No session summaries${since || statuses ? ' match' : ' stored yet'} (${file}).`)
    else this.out(renderStats(stats, {colors: this.colors, charset: charsetOf(process.env)}))
    return {...stats, store: file}
  }
}
