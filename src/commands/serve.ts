import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {decisionsFileFor, DecisionLog} from '../lib/analytics/decisions.js'
import {MenuServing} from '../lib/menu/serve.js'
import {safeLine} from '../lib/render/safe.js'
import {ServingCommand, servingFlags} from '../cli/serving-command.js'
import {words} from '../lib/glossary.js'

export default class Serve extends ServingCommand<typeof Serve> {
  static override summary = "Answer the platform's call-action (VCA) webhooks from a menu file."
  static override description = `An HTTP server for VCA webhooks: each one brings the digits the caller pressed and the clientActionId of the menu they were in; the answer is the next callflow, taken from the menu. One line per request on stdout (NDJSON with --json); warnings on stderr.

It never answers 500: a body it cannot read, an unknown clientActionId or an internal error gets the menu's spoken apology and a hang-up, and a warning. The menu must pass \`ivr menu check\` to be served; with --watch it is reloaded when the file changes, and a change that fails the check is refused (the last good menu stays in service).

Under --sandbox the sandbox's VCA webhook points at this server while it runs (start the sandbox first with \`ivr sandbox start\`, then call in with \`ivr sandbox call --interactive\`).` + words('VCA')
  static override examples = [
    '<%= config.bin %> serve examples/menus/restaurant.yaml --sandbox --watch',
    '<%= config.bin %> serve menu.yaml --port 8788',
    'printf %s "$SECRET" | <%= config.bin %> serve menu.yaml --auth-header-stdin --path /vca --register --public-url https://abc.ngrok.app/vca',
  ]
  static override args = {menu: Args.string({description: 'The menu file (YAML or JSON).', required: true})}
  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0: any free port).', default: 8788, min: 0, max: 65_535, env: 'IVR_SERVE_PORT'}),
    ...servingFlags({type: 'VCA', serves: 'Answer', example: 'https://abc.ngrok.app/vca'}),
    watch: Flags.boolean({summary: 'Reload the menu when the file changes (a menu that fails the check is not loaded).'}),
    record: Flags.string({summary: "Keep every answered call action in this file (default: the sub-account's decision log in the data folder; see `ivr menu stats`).", env: 'IVR_DECISIONS', exclusive: ['no-record']}),
    'no-record': Flags.boolean({summary: 'Keep no decisions.'}),
  }

  // NDJSON is printed line by line; nothing more at the end.
  public override logJson(json: unknown): void {
    if (json !== undefined) super.logJson(json)
  }

  async run(): Promise<undefined> {
    const {flags: f, args: {menu: file}} = this
    const authHeader = await this.servingSetup('walk the menu', 'https://abc.ngrok.app/vca')
    const serving = new MenuServing({
      file, host: f.host, port: f.port, path: this.servePath, authHeader, watch: f.watch, knownProfiles: await this.cachedVoiceProfiles(),
      output: this.output, writeLine: (line) => process.stdout.write(`${line}\n`), json: this.jsonEnabled(), colors: this.colors, errColors: this.errColors,
    })
    const first = await serving.load(false)
    if (!first) this.exit(4)
    const log = f['no-record'] ? undefined : await this.openDecisionLog(f.record)
    const reason = await this.serveUntilStopped('VCA', async () => serving.start(first, log, await this.leaseFor('VCA', {authHeader, force: f.force || f.sandbox})),
      ({server}) => serving.listening(server, first))
    await serving.finish(reason)
    return undefined
  }

  /** --record FILE, else the decision log of the sub-account in force (the sandbox's under --sandbox; `default` with no account). */
  private async openDecisionLog(recordFlag: string | undefined): Promise<DecisionLog> {
    // Serving needs no account: a stored-accounts file that cannot be read only costs the choice of log.
    const account = await this.accountInForce(this.flags.register).catch((error: unknown) => {
      this.warnUser(`${safeLine((error as Error).message)} Recording decisions under "default"; choose with --account or --record.`)
      return undefined
    })
    return DecisionLog.open(recordFlag ? path.resolve(recordFlag) : decisionsFileFor(this.paths.dataDir, account ?? 'default'), {onError: (m) => this.warnUser(m)})
  }
}
