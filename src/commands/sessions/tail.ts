import {Flags} from '@oclif/core'

import {usageError} from '../../lib/errors.js'
import {safeLine} from '../../lib/render/safe.js'
import {ServingCommand, servingFlags} from '../../cli/serving-command.js'
import {storeFlag} from '../../cli/sessions-command.js'
import {chooseStore} from '../../lib/sessions/location.js'
import {eventLine} from '../../lib/sessions/view.js'
import {printFilter, startTail, tailRecord} from '../../lib/webhooks/tail.js'
import {words} from '../../lib/glossary.js'

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

export default class SessionsTail extends ServingCommand<typeof SessionsTail> {
  static override summary = 'Receive webhooks on this machine, store them, and print each session summary as it arrives.'
  static override description = `An HTTP server for the platform's webhooks (point the sub-account's VSS webhook at it through a tunnel, or let --register do it). Each webhook is appended to the local store and flushed to disk before the 200; a summary delivered twice is stored and printed once. One receiver per store: a second one is refused. Status goes to stderr, one line per event to stdout (NDJSON with --json). Ctrl-C finishes the requests under way and exits 0.

Under --sandbox the sandbox's VSS webhook is pointed at this receiver while it runs (start the sandbox first with \`ivr sandbox start\`).` + words('VCA', 'VSS')
  static override examples = [
    '<%= config.bin %> sessions tail', '<%= config.bin %> sessions tail --sandbox',
    'printf %s "$SECRET" | <%= config.bin %> sessions tail --auth-header-stdin --path /vss --register --public-url https://abc.ngrok.app/vss',
    '<%= config.bin %> sessions tail --forward-to http://localhost:3000 --status FAILED,ERROR',
    '<%= config.bin %> sessions tail --json | jq .payload.sessionStatus',
  ]
  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0: any free port).', default: 8787, min: 0, max: 65_535, env: 'IVR_TAIL_PORT'}),
    ...servingFlags({type: 'VSS', serves: 'Accept webhooks', example: 'https://abc.ngrok.app/vss'}),
    status: Flags.string({summary: 'Print only summaries with these statuses (comma separated); everything is stored.'}),
    events: Flags.string({summary: 'Print only these kinds: vss, vca, vcs, other (comma separated); default all. Everything is stored.'}),
    'forward-to': Flags.string({summary: "Relay each webhook to your own app at this URL, and print its answer (a VCA's answer is passed back to the platform)."}),
    'show-numbers': Flags.boolean({summary: 'Show phone numbers whole (default: masked, +65****8965).'}),
    ...storeFlag,
  }

  // Status goes to stderr also under --json: stdout holds only the NDJSON lines.
  protected override status(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  // NDJSON is printed line by line; nothing more at the end.
  public override logJson(json: unknown): void {
    if (json !== undefined) super.logJson(json)
  }

  async run(): Promise<undefined> {
    const f = this.flags
    const shows = printFilter(f.events, f.status)
    if (f['forward-to'] && !URL.canParse(f['forward-to'])) throw usageError(`--forward-to "${f['forward-to']}" is not a URL.`, ['Give the full URL of your app, e.g. http://localhost:3000/vss.'])
    const authHeader = await this.servingSetup('post events', 'https://abc.ngrok.app/vss')
    const {file} = await chooseStore({storeFlag: f.store, dataDir: this.paths.dataDir, account: await this.accountInForce(f.register)})
    const counts = {stored: 0, duplicates: 0, rejected: 0}
    const {colors: c, errColors: ec} = this
    const write = (text: string) => process.stdout.write(`${text}\n`)
    const lease = await this.leaseFor('VSS', {authHeader})
    const reason = await this.serveUntilStopped('VSS', () => startTail({
      storeFile: file, pid: process.pid, warn: (m) => this.warnUser(m), host: f.host, port: f.port, path: f.path, authHeader, forwardTo: f['forward-to'],
      lease,
      onEvent: (ev, {duplicate, parsed}) => {
        if (duplicate) counts.duplicates++
        else counts.stored++
        if (duplicate) this.status(ec.dim(`duplicate ${ev.type} ${safeLine(ev.sessionId ?? '')} ignored (already stored)`))
        else if (shows(parsed)) write(this.jsonEnabled() ? JSON.stringify(tailRecord(ev)) : eventLine(ev, {colors: c, showNumbers: f['show-numbers']}))
      },
      onForward: (r) => {
        const line = r.status === undefined
          ? `<-- ${ec.red('failed')} POST ${safeLine(r.url)}: ${safeLine(r.error)} (event stored and acknowledged)`
          : `<-- ${r.status >= 200 && r.status < 300 ? r.status : c.yellow(String(r.status))} POST ${safeLine(r.url)} ${r.ms} ms`
        if (this.jsonEnabled()) process.stderr.write(`${line}\n`)
        else write(`    ${line}`)
      },
      onRejected: (r) => {
        counts.rejected++
        this.status(ec.yellow(`${r.status} ${safeLine(r.method)} ${safeLine(r.path)}: ${r.reason}`))
      },
      onStoreError: (e) => this.warnUser(`Could not store an event (answered 500, the platform will retry): ${safeLine((e as Error).message)}`),
    }), (tail) => this.status(`Listening on ${tail.url}; Ctrl-C to stop\n${ec.dim(`Storing to ${file}`)}`))
    if (reason !== 'EPIPE') this.status(`Stored ${plural(counts.stored, 'event')}; ${plural(counts.duplicates, 'duplicate')} ignored; ${plural(counts.rejected, 'request')} refused.`)
    return undefined
  }
}
