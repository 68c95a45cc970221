import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {decisionRecorder, decisionsFileFor, DecisionLog} from '../lib/analytics/decisions.js'
import {formatProblem} from '../lib/callflow/report.js'
import {listenError} from '../lib/errors.js'
import {startServing} from '../lib/lease/serving.js'
import {loadServableMenu, watchFile} from '../lib/menu/reload.js'
import type {Menu} from '../lib/menu/model.js'
import {answerLine, answerRecord} from '../lib/menu/report.js'
import {startMenuServer} from '../lib/menu/server.js'
import {safeLine} from '../lib/render/safe.js'
import {ServingCommand, servingFlags} from '../lib/serving-command.js'

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

export default class Serve extends ServingCommand<typeof Serve> {
  static override summary = "Answer the platform's call-action (VCA) webhooks from a menu file."
  static override description = `An HTTP server for VCA webhooks: each one brings the digits the caller pressed and the clientActionId of the menu they were in; the answer is the next callflow, taken from the menu. One line per request on stdout (NDJSON with --json); warnings on stderr.

It never answers 500: a body it cannot read, an unknown clientActionId or an internal error gets the menu's spoken apology and a hang-up, and a warning. The menu must pass \`ivr menu check\` to be served; with --watch it is reloaded when the file changes, and a change that fails the check is refused (the last good menu stays in service).

Under --sandbox the sandbox's VCA webhook points at this server while it runs (start the sandbox first with \`ivr sandbox start\`, then call in with \`ivr sandbox call --interactive\`).`
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
    const knownProfiles = await this.cachedVoiceProfiles()
    const first = await this.load(file, knownProfiles, 'not serving it')
    if (!first) this.exit(4)
    const counts = {answered: 0, apologies: 0, refused: 0}
    let watcher: {close(): void} | undefined
    const log = f['no-record'] ? undefined : await this.openDecisionLog(f.record)
    const reason = await this.serveUntilStopped('VCA', async () => startServing({
      start: () => startMenuServer({
        menu: first!, host: f.host, port: f.port, path: this.servePath, authHeader, ...(log ? {record: decisionRecorder(log, file)} : {}),
        onAnswer: (r) => {
          counts.answered++
          if (r.answer.problem) {
            counts.apologies++
            this.warnUser(`Answered ${safeLine(r.sessionId ?? 'a request')} with the apology: ${safeLine(r.answer.problem)}`)
          }
          process.stdout.write(`${this.jsonEnabled() ? JSON.stringify(answerRecord(r)) : answerLine(r, this.colors)}\n`)
        },
        onRefused: (r) => {
          counts.refused++
          // On stderr also under --json: a refused platform request is what the operator must see.
          process.stderr.write(`${this.errColors.yellow(`${r.status} ${safeLine(r.method)} ${safeLine(r.path)}: ${r.reason}`)}\n`)
        },
      }).catch((error: unknown) => Promise.reject(listenError(error, f.host, f.port) ?? error)),
      lease: await this.leaseFor('VCA', {authHeader, force: f.force || f.sandbox}),
    }).catch(async (error: unknown) => {
      await log?.close()
      throw error
    }), ({server}) => {
      const reload = async () => {
        const menu = await this.load(file, knownProfiles, 'still serving the last good menu')
        if (menu) server.setMenu(menu)
      }
      if (f.watch) watcher = watchFile(file, () => void reload())
      // Said on stderr also under --json: whoever runs it needs the URL.
      process.stderr.write(`Serving ${file} (${plural(first!.nodes.size, 'node')}, entry ${first!.entry}) on ${server.url}${f.watch ? '; reloading on change' : ''}${log ? `; recording decisions in ${log.file}` : ''}; Ctrl-C to stop\n`)
    })
    watcher?.close()
    await log?.close()
    if (reason !== 'EPIPE') this.status(`Answered ${plural(counts.answered, 'request')} (${counts.apologies} with the apology); refused ${counts.refused}.`)
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

  /** The menu when it passes the check; its errors on stderr otherwise. `refusal` says what happens then. */
  private async load(file: string, knownProfiles: ReadonlySet<string> | undefined, refusal: string): Promise<Menu | undefined> {
    const reload = refusal !== 'not serving it'
    const r = await loadServableMenu(file, knownProfiles).catch((error: unknown) => {
      if (!reload) throw error
      this.warnUser(`Could not reload ${file}: ${safeLine((error as Error).message)}; still serving the last good menu.`)
      return undefined
    })
    if (!r) return undefined
    for (const p of r.errors) process.stderr.write(`${formatProblem(p, file, this.errColors)}\n`)
    if (!r.menu) this.warnUser(`${file} has ${plural(r.errors.length, 'error')}; ${refusal}.`)
    else if (reload) this.status(`Reloaded ${file} (${plural(r.menu.nodes.size, 'node')})`)
    else if (r.warnings > 0) this.status(this.errColors.yellow(`${file}: ${plural(r.warnings, 'warning')} (see \`ivr menu check ${file}\`)`))
    return r.menu
  }
}
