import {Args, Flags} from '@oclif/core'

import {SessionsCommand, storeFlag} from '../../cli/sessions-command.js'
import {findSession} from '../../lib/sessions/query.js'
import type {StoredEvent} from '../../lib/sessions/store.js'
import {sessionRow, type SessionRow} from '../../lib/sessions/row.js'
import {renderSession} from '../../lib/sessions/view.js'
import {words} from '../../lib/glossary.js'

export default class SessionsShow extends SessionsCommand<typeof SessionsShow> {
  static override summary = 'Show everything stored about one session: legs, quality, outcome, the error explained.'
  static override description = 'SESSION_ID may be the first characters of the id, as `sessions tail` shows them, when they are unique. --json prints the stored events as received.' + words('legs', 'MOS', 'SIP')
  static override examples = ['<%= config.bin %> sessions show 3f2a9c1e', '<%= config.bin %> sessions show 3f2a9c1e-5b7d-4c1e-9a0f-2b8c6d4e1f00 --json']
  static override args = {
    sessionId: Args.string({description: 'Session id (or a unique prefix of at least 4 characters).', required: true}),
  }
  static override flags = {
    'show-numbers': Flags.boolean({summary: 'Show phone numbers whole.'}),
    ...storeFlag,
  }

  async run(): Promise<{sessionId: string; summary?: SessionRow; events: StoredEvent[]}> {
    const f = this.flags
    const file = await this.storeFile()
    const {sessionId, events} = await findSession(file, this.args.sessionId, (m) => this.warnUser(m))
    this.out(renderSession(events, {colors: this.colors, showNumbers: f['show-numbers']}))
    const summaryEv = events.find((e) => e.type === 'SESSION_SUMMARY')
    // The stat row is the store's own index, not part of what was received.
    return {sessionId, summary: summaryEv ? sessionRow(summaryEv) : undefined, events: events.map(({row: _row, bodyBytes: _bytes, ...ev}) => ev)}
  }
}
