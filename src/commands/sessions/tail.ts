import {Flags} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {usageError} from '../../lib/errors.js'
import {safeLine} from '../../lib/render/safe.js'
import {readSecretFromStdin} from '../../lib/stdin.js'
import {chooseStore} from '../../lib/webhooks/location.js'
import type {EventKind, ParsedWebhook} from '../../lib/webhooks/parse.js'
import {parseStatuses} from '../../lib/webhooks/query.js'
import {isLoopbackHost, type ForwardResult} from '../../lib/webhooks/receiver.js'
import {startTail, type TailOptions} from '../../lib/webhooks/tail.js'
import {eventLine} from '../../lib/webhooks/view.js'

const KINDS = ['vss', 'vca', 'vcs', 'other'] as const

export interface TailResult {
  url: string
  store: string
  stored: number
  duplicates: number
  rejected: number
}

export default class SessionsTail extends IvrCommand<typeof SessionsTail> {
  static override summary = 'Receive webhooks on this machine, store them, and print each session summary as it arrives.'
  static override description = `An HTTP server for the platform's webhooks (point the sub-account's VSS webhook at it through a tunnel, or let --register do it). Each webhook is appended to the local store and flushed to disk before the 200; a summary delivered twice is stored and printed once. Status goes to stderr, one line per event to stdout (NDJSON with --json). Ctrl-C finishes the requests under way and exits 0.

Under --sandbox the sandbox's VSS webhook is pointed at this receiver while it runs (start the sandbox first with \`ivr sandbox start\`).`
  static override examples = [
    '<%= config.bin %> sessions tail',
    '<%= config.bin %> sessions tail --sandbox',
    'printf %s "$SECRET" | <%= config.bin %> sessions tail --auth-header-stdin --path /vss --register --public-url https://abc.ngrok.app/vss',
    '<%= config.bin %> sessions tail --forward-to http://localhost:3000 --status FAILED,ERROR',
    '<%= config.bin %> sessions tail --json | jq .payload.sessionStatus',
  ]

  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0: any free port).', default: 8787, min: 0, max: 65_535, env: 'IVR_TAIL_PORT'}),
    host: Flags.string({summary: 'Address to listen on. Anything but loopback is reachable by others: set an auth header.', default: '127.0.0.1'}),
    path: Flags.string({summary: 'Accept webhooks only on this path (others get 404); default: any path.'}),
    'auth-header-stdin': Flags.boolean({summary: 'Read the Authorization value the platform must send from stdin (or set IVR_WEBHOOK_AUTH).'}),
    status: Flags.string({summary: 'Print only summaries with these statuses (comma separated); everything is stored.'}),
    events: Flags.string({summary: 'Print only these kinds: vss, vca, vcs, other (comma separated); default all. Everything is stored.'}),
    'forward-to': Flags.string({summary: "Relay each webhook to your own app at this URL, and print its answer (a VCA's answer is passed back to the platform)."}),
    'show-numbers': Flags.boolean({summary: 'Show phone numbers whole (default: masked, +65****8965).'}),
    store: Flags.string({summary: 'Store file (default: one per sub-account in the data dir).', env: 'IVR_SESSIONS_STORE'}),
    register: Flags.boolean({summary: "Point the sub-account's VSS webhook at --public-url while this runs, and put the previous one back on exit."}),
    'public-url': Flags.string({summary: 'The URL the platform reaches this receiver at (your tunnel or host), for --register.'}),
    force: Flags.boolean({summary: 'With --register, replace an existing VSS registration for the duration.'}),
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
    const statuses = parseStatuses(f.status)
    const kinds = this.parseKinds(f.events)
    if (f.register && !f['public-url']) throw usageError('--register needs --public-url: the address the platform reaches this receiver at.', ['e.g. --public-url https://abc.ngrok.app/vss (a tunnel to this port).'])
    if (f['public-url'] && !f.register && !f.sandbox) this.warnUser('--public-url is used only with --register.')
    if (f['forward-to']) {
      try {
        new URL(f['forward-to'])
      } catch {
        throw usageError(`--forward-to "${f['forward-to']}" is not a URL.`, ['Give the full URL of your app, e.g. http://localhost:3000/vss.'])
      }
    }
    const authHeader = f['auth-header-stdin'] ? await readSecretFromStdin(process.stdin, 'The auth header') : process.env.IVR_WEBHOOK_AUTH || undefined
    if (!authHeader && !isLoopbackHost(f.host)) this.warnUser(`Listening on ${f.host} without an auth header: anyone who can reach it can post events. Set one with --auth-header-stdin or IVR_WEBHOOK_AUTH.`)

    const account = f.account ?? this.env.IVR_ACCOUNT ?? (f.sandbox || f.register ? (await this.credentials()).account : (await this.storedAccounts()).default)
    const {file} = await chooseStore({storeFlag: f.store, dataDir: this.paths.dataDir, account})
    let register: TailOptions['register']
    if (f.register || f.sandbox) {
      const creds = await this.credentials()
      if (f.sandbox && (await this.sandbox()).inProcess) {
        this.warnUser('No sandbox was running, so one was started inside this command: other terminals will not find it. Run `ivr sandbox start` in another terminal first to send calls to it from elsewhere.')
      }
      register = {api: await this.api(), configDir: this.paths.configDir, account: creds.account, baseUrl: creds.baseUrl, publicUrl: f['public-url'], force: f.force}
    }

    const counts = {stored: 0, duplicates: 0, rejected: 0}
    const c = this.colors
    const ec = this.errColors
    const json = this.jsonEnabled()
    const write = (text: string) => process.stdout.write(`${text}\n`)
    const view = {colors: c, showNumbers: f['show-numbers']}
    const shows = (parsed: ParsedWebhook) => {
      if (!kinds.has(parsed.kind)) return false
      return !(parsed.kind === 'vss' && statuses && !statuses.has(parsed.summary?.sessionStatus ?? ''))
    }
    // Set before registering: a Ctrl-C during registration still undoes it.
    const stopping = this.waitForStop()
    const tail = await startTail({
      storeFile: file, pid: process.pid, warn: (m) => this.warnUser(m), register,
      host: f.host, port: f.port, path: f.path, authHeader, forwardTo: f['forward-to'],
      onEvent: (ev, {duplicate, parsed}) => {
        if (duplicate) {
          counts.duplicates++
          this.status(ec.dim(`duplicate ${ev.type} ${safeLine(ev.sessionId ?? '')} ignored (already stored)`))
          return
        }
        counts.stored++
        if (!shows(parsed)) return
        if (json) write(JSON.stringify(ev.body && typeof ev.body === 'object' && !Array.isArray(ev.body) ? {...ev.body, receivedAt: ev.receivedAt} : {body: ev.body, receivedAt: ev.receivedAt}))
        else write(eventLine(ev, view))
      },
      onForward: (r: ForwardResult) => {
        const line = r.status === undefined
          ? `<-- ${ec.red('failed')} POST ${safeLine(r.url)}: ${safeLine(r.error)} (event stored and acknowledged)`
          : `<-- ${r.status >= 200 && r.status < 300 ? r.status : c.yellow(String(r.status))} POST ${safeLine(r.url)} ${r.ms} ms`
        if (json) process.stderr.write(`${line}\n`)
        else write(`    ${line}`)
      },
      onRejected: (r) => {
        counts.rejected++
        this.status(ec.yellow(`${r.status} ${safeLine(r.method)} ${safeLine(r.path)}: ${r.reason}`))
      },
      onStoreError: (e) => this.warnUser(`Could not store an event (answered 500, the platform will retry): ${safeLine((e as Error).message)}`),
    }).catch((error) => {
      stopping.cancel()
      throw error
    })
    if (tail.registered) {
      for (const w of tail.registered.warnings) this.warnUser(w)
      const was = tail.registered.replaced
      this.status(`Registered the VSS webhook of ${safeLine(tail.registered.lease.account)} → ${safeLine(tail.registeredUrl)}${was ? ` (was ${safeLine(was.url)}; put back on exit)` : ' (removed on exit)'}`)
    }
    this.status(`Listening on ${tail.url}; Ctrl-C to stop`)
    this.status(ec.dim(`Storing to ${file}`))

    const reason = await stopping.stopped
    const quiet = reason === 'EPIPE'
    if (!quiet) this.status(ec.dim(`Stopping (${reason}): finishing requests under way...`))
    const {restored, restoreError} = await tail.stop()
    if (restored) {
      for (const w of restored.warnings) this.warnUser(w)
      if (!quiet && restored.action !== 'left') this.status(restored.action === 'restored' ? `Put the VSS webhook back: ${safeLine(restored.url)}` : 'Removed the temporary VSS webhook.')
    }
    if (restoreError) this.warnUser(`Could not put the VSS webhook back (${safeLine((restoreError as Error).message)}). Run \`ivr webhooks restore\`.`)
    if (!quiet) this.status(`Stored ${counts.stored} event${counts.stored === 1 ? '' : 's'}; ${counts.duplicates} duplicate${counts.duplicates === 1 ? '' : 's'} ignored; ${counts.rejected} request${counts.rejected === 1 ? '' : 's'} refused.`)
    return undefined
  }

  private parseKinds(value: string | undefined): Set<EventKind> {
    if (!value) return new Set(KINDS)
    const out = new Set<EventKind>()
    for (const k of value.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)) {
      if (!(KINDS as readonly string[]).includes(k)) throw usageError(`--events "${k}" is not an event kind.`, [`Use one or more of ${KINDS.join(', ')}.`])
      out.add(k as EventKind)
    }
    return out
  }
}
