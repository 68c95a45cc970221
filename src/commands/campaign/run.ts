import {Flags} from '@oclif/core'

import {CampaignCommand} from '../../cli/campaign-command.js'
import {ExitCode, IvrError} from '../../lib/errors.js'
import {populationFlags} from '../../cli/population-flags.js'
import {populationOfFlags} from '../../lib/sandbox/population.js'
import {readSecretFromStdin} from '../../lib/stdin.js'
import {storeFileFor} from '../../lib/sessions/store.js'
import {decisionsFileFor} from '../../lib/analytics/decisions.js'
import {words} from '../../lib/glossary.js'

/** What the callees of a sandbox started for the run press when --presses is not given: the README's one line shows choices. */
export const DEFAULT_SANDBOX_PRESSES = '1=60,2=20,3=10,none=10'

export default class CampaignRun extends CampaignCommand<typeof CampaignRun> {
  static override summary = 'Run a campaign: start its calls at the pace, inside the window; run again to resume.'
  static override description = `Claims each contact from the campaign's journal, writes the intent durably, then sends the request: nobody is rung twice, across crashes included. A request that may have placed a call without saying so (a timeout after sending, a reset, a 5xx) makes its contact "uncertain": it is never dialed again on its own (see \`campaign reconcile\` and --retry-uncertain).

On a terminal a progress bar shows counts per outcome, the rate and the ETA; with --json or without a terminal, one NDJSON event per line. Ctrl-C stops starting calls, waits up to --drain for live ones, and exits 130; \`run\` again resumes. \`campaign pause|resume|cancel\` act on it from another terminal.

Outcomes come from session summaries and, for a menu, its call actions: under --sandbox all of it is local (a sandbox started for the run gets --population, --presses and --seed; without --presses its callees press ${DEFAULT_SANDBOX_PRESSES}); with a real account one listener on --port serves both, and --public-url (a tunnel to it) is registered as the VSS webhook at /vss and the VCA webhook at /vca for the run, and put back after (\`ivr webhooks restore\` repairs after a kill). --no-receive reads the store of an \`ivr sessions tail\` already running instead. A second runner of the same campaign (--db) on this machine uses the first runner's listener, and takes its place if that runner stops first (give every runner the same --public-url).` + words('VCA', 'VSS')
  static override examples = [
    '<%= config.bin %> campaign run reminders --sandbox',
    '<%= config.bin %> campaign run reminders --sandbox --population answer=70,busy=10,no-answer=15,failed=5 --presses 1=60,2=30,none=10 --seed 7',
    '<%= config.bin %> campaign run reminders --public-url https://abc.ngrok.app',
  ]
  static override args = {name: CampaignCommand.nameArg}
  static override flags = {
    'public-url': Flags.string({summary: 'Where the platform reaches this machine (a tunnel to --port): session summaries at /vss, a menu\'s call actions at /vca.'}),
    host: Flags.string({summary: 'Address the listener binds.', default: '127.0.0.1'}),
    port: Flags.integer({summary: 'Port of the listener for summaries and call actions (0: any free one).', default: 8787, min: 0, max: 65_535}),
    'auth-header-stdin': Flags.boolean({summary: 'Read the Authorization value the platform must send from stdin.'}),
    'no-receive': Flags.boolean({summary: 'Do not receive: read the session store a running `ivr sessions tail` fills.'}),
    force: Flags.boolean({summary: 'Replace existing VSS/VCA registrations for the run (they are put back after).'}),
    'retry-uncertain': Flags.boolean({summary: 'Dial uncertain contacts again. Risk: each may already have been called once (that request may have reached the platform).'}),
    drain: Flags.string({summary: 'After a stop, how long to wait for live calls to end.', default: '30s'}),
    ...populationFlags,
  }

  // NDJSON is printed event by event.
  public override logJson(json: unknown): void {
    if (json !== undefined) super.logJson(json)
  }

  async run(): Promise<undefined> {
    const f = this.flags
    const drainMs = (await import('../../lib/duration.js')).parseDurationMs(f.drain)
    if (drainMs === undefined) throw new IvrError(`--drain "${f.drain}" is not a duration.`, {code: 'USAGE', exitCode: ExitCode.USAGE})
    const population = populationOfFlags({...f, presses: f.presses ?? DEFAULT_SANDBOX_PRESSES})
    if (f.sandbox && !(await this.sandbox({population})).inProcess && (f.population || f.presses)) this.warnUser('--population and --presses shape a sandbox started for this run; the running sandbox keeps its own (`ivr sandbox start --population …`).')
    if (f['retry-uncertain']) this.warnUser('--retry-uncertain: each uncertain contact may already have been called once; it will be called again.')
    const journal = await this.journal(this.args.name)
    const creds = await this.credentials()
    const api = await this.api()
    const authHeader = f['auth-header-stdin'] ? await readSecretFromStdin(process.stdin, 'The auth header') : undefined
    const {runCampaign} = await import('../../lib/campaign/run.js')
    const {formatStatus, runEventPrinter} = await import('../../lib/campaign/view.js')
    const ndjson = this.jsonEnabled() || !process.stderr.isTTY
    const printer = runEventPrinter({ndjson, stdout: process.stdout, stderr: process.stderr, colors: this.errColors})
    const stop = this.waitForStop()
    const controller = new AbortController()
    void stop.stopped.then(() => controller.abort())
    try {
      const result = await runCampaign({
        journal, api, configDir: this.paths.configDir, account: creds.account, baseUrl: creds.baseUrl, storeFile: storeFileFor(this.paths.dataDir, creds.account),
        decisionsFile: decisionsFileFor(this.paths.dataDir, creds.account),
        sandbox: Boolean(f.sandbox), publicUrl: f['public-url'], host: f.host, port: f.port, authHeader, noReceive: f['no-receive'], force: f.force,
        pid: process.pid, retryUncertain: f['retry-uncertain'], drainMs, signal: controller.signal, onEvent: printer.onEvent,
        warn: (m) => this.warnUser(m), knownProfiles: await this.cachedVoiceProfiles(), onServing: (d) => this.status(`Campaign ${journal.name}: ${d.join('; ')}.`),
      })
      printer.clear()
      if (!ndjson) this.out(formatStatus(journal.name, result.reason, result.counts, {}))
      if (result.error) throw result.error
      if (result.reason === 'stopped') this.exit(ExitCode.INTERRUPTED)
    } finally {
      stop.cancel()
    }
    return undefined
  }
}
