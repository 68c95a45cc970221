import {Args, Flags} from '@oclif/core'

import {IvrCommand, utcFlag} from '../../cli/base-command.js'
import {getTimeline, listSessions, waitForSession, type SandboxTarget} from '../../lib/sandbox/control.js'
import type {SessionListItem, Timeline} from '../../lib/sandbox/engine.js'
import {formatTimeline} from '../../lib/sandbox/timeline-view.js'
import {renderRows} from '../../lib/render/views.js'
import {listTime} from '../../lib/render/time.js'
import {safeLine} from '../../lib/render/safe.js'
import {words} from '../../lib/glossary.js'

export default class SandboxSessions extends IvrCommand<typeof SandboxSessions> {
  static override summary = 'List the sandbox\'s sessions (newest first), or show one session\'s timeline.'
  static override description = 'A timeline holds what was said, the keys pressed, every webhook sent with the answer received, and the final summary (VSS). Works on the running sandbox (`ivr sandbox start`).' + words('VSS')
  static override examples = [
    '<%= config.bin %> sandbox sessions',
    '<%= config.bin %> sandbox sessions 0b6f1c7e-3a4d-4a43-9a55-6c1d2f3e4a5b',
    '<%= config.bin %> sandbox sessions 0b6f1c7e-3a4d-4a43-9a55-6c1d2f3e4a5b --wait --json',
  ]
  static override args = {
    id: Args.string({description: 'Session id: show its timeline.'}),
  }
  static override flags = {
    wait: Flags.boolean({summary: 'With an id: wait until the session has ended.'}),
    csv: Flags.boolean({summary: 'Print the list as CSV (ISO times).', exclusive: ['json']}),
    ...utcFlag,
  }

  async run(): Promise<{sessions: SessionListItem[]} | Timeline> {
    const sb = await this.sandbox()
    if (sb.inProcess) this.warnUser('no sandbox is running, so this one was started just now and has no sessions: run `ivr sandbox start` in another terminal.')
    const target: SandboxTarget = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: this.flags.account ?? sb.subAccountId}
    if (this.args.id) {
      const t = this.flags.wait ? await waitForSession(target, this.args.id) : await getTimeline(target, this.args.id)
      this.out(formatTimeline(t, this.colors))
      return t
    }
    const sessions = await listSessions(target)
    if (sessions.length === 0) this.status('No sessions yet.')
    else {
      this.out(renderRows([
        {header: 'Session', get: (s: SessionListItem) => s.sessionId},
        {header: 'Direction', get: (s: SessionListItem) => s.direction},
        {header: 'From', get: (s: SessionListItem) => safeLine(s.source)},
        {header: 'To', get: (s: SessionListItem) => safeLine(s.destination)},
        {header: 'Status', get: (s: SessionListItem) => s.sessionStatus ?? s.state},
        {header: 'Started', get: (s: SessionListItem) => listTime(s.startedAt, this.flags.utc || this.flags.csv)},
      ], sessions, {csv: this.flags.csv, colors: this.colors, width: this.tableWidth}))
    }
    return {sessions}
  }
}
