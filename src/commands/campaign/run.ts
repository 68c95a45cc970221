import {Flags} from '@oclif/core'

import {CampaignCommand} from '../../lib/campaign-command.js'
import type {RunEvent} from '../../lib/campaign/runner.js'
import {ExitCode, IvrError} from '../../lib/errors.js'
import {readSecretFromStdin} from '../../lib/stdin.js'
import {storeFileFor} from '../../lib/sessions/store.js'
import {decisionsFileFor} from '../../lib/analytics/decisions.js'

export default class CampaignRun extends CampaignCommand<typeof CampaignRun> {
  static override summary = 'Run a campaign: start its calls at the pace, inside the window; run again to resume.'
  static override description = `Claims each contact from the campaign's journal, writes the intent durably, then sends the request: nobody is rung twice, across crashes included. A request that may have placed a call without saying so (a timeout after sending, a reset, a 5xx) makes its contact "uncertain": it is never dialed again on its own (see \`campaign reconcile\` and --retry-uncertain).

On a terminal a progress bar shows counts per outcome, the rate and the ETA; with --json or without a terminal, one NDJSON event per line. Ctrl-C stops starting calls, waits up to --drain for live ones, and exits 130; \`run\` again resumes. \`campaign pause|resume|cancel\` act on it from another terminal.

Outcomes come from session summaries: under --sandbox all of it is local; with a real account the receiver needs --public-url (a tunnel to --port), and a menu --menu-public-url (a tunnel to --menu-port); both webhooks are registered for the run and put back after (\`ivr webhooks restore\` repairs after a kill). --no-receive reads the store of an \`ivr sessions tail\` already running instead.`
  static override examples = [
    '<%= config.bin %> campaign run reminders --sandbox',
    '<%= config.bin %> campaign run reminders --public-url https://abc.ngrok.app --menu-public-url https://def.ngrok.app',
  ]
  static override args = {name: CampaignCommand.nameArg}
  static override flags = {
    'public-url': Flags.string({summary: 'Where the platform reaches this machine\'s receiver (a tunnel to --port), for session summaries.'}),
    'menu-public-url': Flags.string({summary: 'Where the platform reaches the menu server (a tunnel to --menu-port), for a menu campaign.'}),
    host: Flags.string({summary: 'Address the receiver and menu server listen on.', default: '127.0.0.1'}),
    port: Flags.integer({summary: 'Receiver port (0: any free one).', default: 8787, min: 0, max: 65_535}),
    'menu-port': Flags.integer({summary: 'Menu server port (0: any free one).', default: 8788, min: 0, max: 65_535}),
    'auth-header-stdin': Flags.boolean({summary: 'Read the Authorization value the platform must send from stdin.'}),
    'no-receive': Flags.boolean({summary: 'Do not receive: read the session store a running `ivr sessions tail` fills.'}),
    force: Flags.boolean({summary: 'Replace existing VSS/VCA registrations for the run (they are put back after).'}),
    'retry-uncertain': Flags.boolean({summary: 'Dial uncertain contacts again. Risk: each may already have been called once (that request may have reached the platform).'}),
    drain: Flags.string({summary: 'After a stop, how long to wait for live calls to end.', default: '30s'}),
  }

  // NDJSON is printed event by event.
  public override logJson(json: unknown): void {
    if (json !== undefined) super.logJson(json)
  }

  async run(): Promise<undefined> {
    const f = this.flags
    const {parseDurationMs} = await import('../../lib/duration.js')
    const drainMs = parseDurationMs(f.drain)
    if (drainMs === undefined) throw new IvrError(`--drain "${f.drain}" is not a duration.`, {code: 'USAGE', exitCode: ExitCode.USAGE})
    if (f['retry-uncertain']) this.warnUser('--retry-uncertain: each uncertain contact may already have been called once; it will be called again.')
    const journal = await this.journal(this.args.name)
    const creds = await this.credentials()
    const api = await this.api()
    const authHeader = f['auth-header-stdin'] ? await readSecretFromStdin(process.stdin, 'The auth header') : undefined
    const {runCampaign} = await import('../../lib/campaign/run.js')
    const {formatStatus, progressLine} = await import('../../lib/campaign/view.js')
    const ndjson = this.jsonEnabled() || !process.stderr.isTTY
    let bar = ''
    const onEvent = (ev: RunEvent) => {
      if (ndjson) return void process.stdout.write(`${JSON.stringify({at: new Date().toISOString(), ...ev})}\n`)
      if (ev.type === 'progress') {
        bar = progressLine(ev.counts, {rate: ev.rate, etaSeconds: ev.etaSeconds, width: process.stderr.columns || 80, colors: this.errColors})
        process.stderr.write(`\r\x1b[K${bar}`)
      } else if (ev.type === 'waiting' || ev.type === 'paused' || ev.type === 'resumed' || ev.type === 'rate-limited' || ev.type === 'stopping') {
        const words = ev.type === 'waiting' ? `${ev.reason === 'window' ? 'A calling window is closed' : 'Every contact left waits for a retry or its window'}: the next is due ${new Date(ev.until).toLocaleString()}.`
          : ev.type === 'rate-limited' ? `The platform asked to slow down (429): waiting ${Math.ceil(ev.retryAfterMs / 1000)} s, then ${ev.rate}/s.`
            : ev.type === 'stopping' ? `Stopping (${ev.reason}): waiting for ${ev.live} live call${ev.live === 1 ? '' : 's'}…` : `Campaign ${ev.type}.`
        process.stderr.write(`\r\x1b[K${words}\n${bar}`)
      }
    }
    const stop = this.waitForStop()
    const controller = new AbortController()
    void stop.stopped.then(() => controller.abort())
    try {
      const result = await runCampaign({
        journal, api, configDir: this.paths.configDir, account: creds.account, baseUrl: creds.baseUrl, storeFile: storeFileFor(this.paths.dataDir, creds.account),
        decisionsFile: decisionsFileFor(this.paths.dataDir, creds.account),
        sandbox: Boolean(f.sandbox), publicUrl: f['public-url'], menuPublicUrl: f['menu-public-url'], host: f.host, port: f.port, menuPort: f['menu-port'],
        authHeader, noReceive: f['no-receive'], force: f.force, pid: process.pid, retryUncertain: f['retry-uncertain'], drainMs, signal: controller.signal,
        onEvent, warn: (m) => this.warnUser(m), knownProfiles: await this.cachedVoiceProfiles(),
        onServing: (d) => this.status(`Campaign ${journal.name}: ${d.join('; ')}.`),
      })
      if (!ndjson) process.stderr.write('\r\x1b[K')
      if (!ndjson) this.out(formatStatus(journal.name, result.reason, result.counts, {}))
      if (result.error) throw result.error
      if (result.reason === 'stopped') this.exit(ExitCode.INTERRUPTED)
    } finally {
      stop.cancel()
    }
    return undefined
  }
}
