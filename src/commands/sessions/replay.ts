import {Args, Flags} from '@oclif/core'

import {SessionsCommand, storeFlag} from '../../cli/sessions-command.js'
import {networkError, notFound, usageError} from '../../lib/errors.js'
import {safeLine} from '../../lib/render/safe.js'
import {readSecretFromStdin} from '../../lib/stdin.js'
import {parseTimeoutMs} from '../../lib/duration.js'
import {findSession} from '../../lib/sessions/query.js'
import {relay, type ForwardResult} from '../../lib/webhooks/receiver.js'

const TYPES: Record<string, string> = {vss: 'SESSION_SUMMARY', vca: 'CALL_ACTION', vcs: 'CALL_STATUS'}

export default class SessionsReplay extends SessionsCommand<typeof SessionsReplay> {
  static override summary = 'Send a stored webhook again, to a URL of yours: to test your own server.'
  static override description = 'POSTs the body exactly as it was received (JSON). By default the session summary; --event picks another kind, --all sends every stored event of the session in the order received. Exits 6 when the server cannot be reached or answers other than 2xx.'
  static override examples = [
    '<%= config.bin %> sessions replay 3f2a9c1e --to http://localhost:3000/vss',
    'printf %s "$SECRET" | <%= config.bin %> sessions replay 3f2a9c1e --to https://ivr.example.com/vss --auth-header-stdin',
  ]
  static override args = {
    sessionId: Args.string({description: 'Session id (or a unique prefix).', required: true}),
  }
  static override flags = {
    to: Flags.string({summary: 'Where to POST it.', required: true}),
    event: Flags.string({summary: 'Which stored event.', options: Object.keys(TYPES), default: 'vss', exclusive: ['all']}),
    all: Flags.boolean({summary: 'Every stored event of the session, in the order received.'}),
    'auth-header-stdin': Flags.boolean({summary: 'Read an Authorization value to send from stdin (or set IVR_WEBHOOK_AUTH).'}),
    timeout: Flags.string({summary: 'How long to wait for an answer: a duration (10s, 1m; a bare number is seconds).', default: '10s'}),
    ...storeFlag,
  }

  async run(): Promise<{sessionId: string; results: ForwardResult[]}> {
    const f = this.flags
    try {
      const u = new URL(f.to)
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme')
    } catch {
      throw usageError(`--to "${f.to}" is not an http(s) URL.`, ['Give the full URL of your server, e.g. http://localhost:3000/vss.'])
    }
    const timeoutMs = parseTimeoutMs(f.timeout)
    if (timeoutMs === undefined || timeoutMs <= 0) throw usageError(`--timeout "${f.timeout}" is not a duration.`, ['Use e.g. 10s or 1m (a bare number is seconds).'])
    const auth = f['auth-header-stdin'] ? await readSecretFromStdin(process.stdin, 'The auth header') : this.env.IVR_WEBHOOK_AUTH
    const file = await this.storeFile()
    const {sessionId, events} = await findSession(file, this.args.sessionId, (m) => this.warnUser(m))
    const chosen = f.all ? events : events.filter((e) => e.type === TYPES[f.event])
    if (chosen.length === 0) throw notFound(`No ${f.event.toUpperCase()} event is stored for session ${sessionId}.`, [`Stored: ${[...new Set(events.map((e) => e.type))].join(', ')}.`])
    const headers: Record<string, string> = {'content-type': 'application/json', 'user-agent': `ivr/${this.config.version} (sessions replay)`}
    if (auth) headers.authorization = auth
    const results: ForwardResult[] = []
    for (const ev of chosen) {
      const r = await relay(f.to, JSON.stringify(ev.body), headers, timeoutMs)
      results.push(r)
      this.out(r.status === undefined
        ? `--> ${ev.type} ${safeLine(sessionId)}  <-- failed POST ${safeLine(r.url)}: ${safeLine(r.error)}`
        : `--> ${ev.type} ${safeLine(sessionId)}  <-- ${r.status} POST ${safeLine(r.url)} ${r.ms} ms`)
      if (r.body && r.status !== undefined && (r.status < 200 || r.status >= 300)) this.status(safeLine(r.body.slice(0, 500)))
    }
    const bad = results.find((r) => r.status === undefined || r.status < 200 || r.status >= 300)
    if (bad) {
      throw networkError(bad.status === undefined ? `${f.to} did not answer: ${bad.error}.` : `${f.to} answered ${bad.status}.`, ['Is your server running and listening on that path?'], 'REPLAY_FAILED')
    }
    return {sessionId, results}
  }
}
