import {Args, Flags} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {chooseStore} from '../../lib/webhooks/location.js'
import {findSession} from '../../lib/webhooks/query.js'
import type {StoredEvent} from '../../lib/webhooks/store.js'
import {renderSession, sessionRow, type SessionRow} from '../../lib/webhooks/view.js'

export default class SessionsShow extends IvrCommand<typeof SessionsShow> {
  static override summary = 'Show everything stored about one session: legs, quality, outcome, the error explained.'
  static override description = 'SESSION_ID may be the first characters of the id, as `sessions tail` shows them, when they are unique. --json prints the stored events as received.'
  static override examples = ['<%= config.bin %> sessions show 3f2a9c1e', '<%= config.bin %> sessions show 3f2a9c1e-5b7d-4c1e-9a0f-2b8c6d4e1f00 --json']
  static override args = {
    sessionId: Args.string({description: 'Session id (or a unique prefix of at least 4 characters).', required: true}),
  }
  static override flags = {
    'show-numbers': Flags.boolean({summary: 'Show phone numbers whole.'}),
    store: Flags.string({summary: 'Store file (default: the sub-account\'s in the data dir).', env: 'IVR_SESSIONS_STORE'}),
  }

  async run(): Promise<{sessionId: string; summary?: SessionRow; events: StoredEvent[]}> {
    const f = this.flags
    const account = f.account ?? this.env.IVR_ACCOUNT ?? (f.sandbox ? (await this.credentials()).account : (await this.storedAccounts()).default)
    const {file} = await chooseStore({storeFlag: f.store, dataDir: this.paths.dataDir, account})
    const {sessionId, events} = await findSession(file, this.args.sessionId, (m) => this.warnUser(m))
    this.out(renderSession(events, {colors: this.colors, showNumbers: f['show-numbers']}))
    const summaryEv = events.find((e) => e.type === 'SESSION_SUMMARY')
    // The stat row is the store's own index, not part of what was received.
    return {sessionId, summary: summaryEv ? sessionRow(summaryEv) : undefined, events: events.map(({row: _row, ...ev}) => ev)}
  }
}
