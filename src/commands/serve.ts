import {watch, type FSWatcher} from 'node:fs'
import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {decisionRecorder, decisionsFileFor, DecisionLog} from '../lib/analytics/decisions.js'
import {IvrCommand} from '../lib/base-command.js'
import {formatProblem} from '../lib/callflow/report.js'
import {countBySeverity} from '../lib/callflow/validate.js'
import {listenError, usageError} from '../lib/errors.js'
import {checkMenuFile} from '../lib/menu/files.js'
import type {Menu} from '../lib/menu/model.js'
import {answerLine, answerRecord} from '../lib/menu/report.js'
import {startMenuServer} from '../lib/menu/server.js'
import {safeLine} from '../lib/render/safe.js'
import {readSecretFromStdin} from '../lib/stdin.js'
import {registerTemporarily, restoreLease, type Registered} from '../lib/webhooks/lease.js'
import {isLoopbackHost} from '../lib/webhooks/receiver.js'

export interface ServeResult {
  url: string
  answered: number
  apologies: number
  refused: number
}

export default class Serve extends IvrCommand<typeof Serve> {
  static override summary = "Answer the platform's call-action (VCA) webhooks from a menu file."
  static override description = `An HTTP server for VCA webhooks: each one brings the digits the caller pressed and the clientActionId of the menu they were in; the answer is the next callflow, taken from the menu. One line per request on stdout (NDJSON with --json); warnings on stderr.

It never answers 500: a body it cannot read, an unknown clientActionId or an internal error gets the menu's spoken apology and a hang-up, and a warning. The menu must pass \`ivr menu check\` to be served; with --watch it is reloaded when the file changes, and a change that fails the check is refused (the last good menu stays in service).

Under --sandbox the sandbox's VCA webhook points at this server while it runs (start the sandbox first with \`ivr sandbox start\`, then call in with \`ivr sandbox call --interactive\`).`
  static override examples = [
    '<%= config.bin %> serve examples/menus/restaurant.yaml --sandbox --watch',
    '<%= config.bin %> serve menu.yaml --port 8788',
    'printf %s "$SECRET" | <%= config.bin %> serve menu.yaml --auth-header-stdin --path /vca --register --public-url https://abc.ngrok.app/vca',
  ]

  static override args = {
    menu: Args.string({description: 'The menu file (YAML or JSON).', required: true}),
  }

  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0: any free port).', default: 8788, min: 0, max: 65_535, env: 'IVR_SERVE_PORT'}),
    host: Flags.string({summary: 'Address to listen on. Anything but loopback is reachable by others: set an auth header.', default: '127.0.0.1'}),
    path: Flags.string({summary: 'Answer only on this path (others get 404); default: any path.'}),
    'auth-header-stdin': Flags.boolean({summary: 'Read the Authorization value the platform must send from stdin (or set IVR_WEBHOOK_AUTH).'}),
    watch: Flags.boolean({summary: 'Reload the menu when the file changes (a menu that fails the check is not loaded).'}),
    register: Flags.boolean({summary: "Point the sub-account's VCA webhook at --public-url while this runs, and put the previous one back on exit."}),
    'public-url': Flags.string({summary: 'The URL the platform reaches this server at (your tunnel or host), for --register.'}),
    force: Flags.boolean({summary: 'With --register or --sandbox, replace an existing VCA registration for the duration.'}),
    record: Flags.string({summary: "Keep every answered call action in this file (default: the sub-account's decision log in the data folder; see `ivr menu stats`).", env: 'IVR_DECISIONS', exclusive: ['no-record']}),
    'no-record': Flags.boolean({summary: 'Keep no decisions.'}),
  }

  // NDJSON is printed line by line; nothing more at the end.
  public override logJson(json: unknown): void {
    if (json !== undefined) super.logJson(json)
  }

  async run(): Promise<undefined> {
    const f = this.flags
    const file = this.args.menu
    if (f.register && !f['public-url']) throw usageError('--register needs --public-url: the address the platform reaches this server at.', ['e.g. --public-url https://abc.ngrok.app/vca (a tunnel to this port).'])
    const authHeader = f['auth-header-stdin'] ? await readSecretFromStdin(process.stdin, 'The auth header') : process.env.IVR_WEBHOOK_AUTH || undefined
    if (!authHeader && !isLoopbackHost(f.host)) this.warnUser(`Listening on ${f.host} without an auth header: anyone who can reach it can walk the menu. Set one with --auth-header-stdin or IVR_WEBHOOK_AUTH.`)

    const servePath = f.path === undefined ? undefined : f.path.startsWith('/') ? f.path : `/${f.path}`
    const knownProfiles = await this.cachedVoiceProfiles()
    const first = await this.load(file, knownProfiles)
    if (!first) this.exit(4)

    const c = this.colors
    const json = this.jsonEnabled()
    const counts = {answered: 0, apologies: 0, refused: 0}
    const log = f['no-record'] ? undefined : await this.openDecisionLog(f.record)
    const server = await startMenuServer({
      menu: first!, host: f.host, port: f.port, path: servePath, authHeader,
      ...(log ? {record: decisionRecorder(log, file)} : {}),
      onAnswer: (r) => {
        counts.answered++
        if (r.answer.problem) {
          counts.apologies++
          this.warnUser(`Answered ${safeLine(r.sessionId ?? 'a request')} with the apology: ${safeLine(r.answer.problem)}`)
        }
        process.stdout.write(`${json ? JSON.stringify(answerRecord(r)) : answerLine(r, c)}\n`)
      },
      onRefused: (r) => {
        counts.refused++
        // On stderr also under --json: a refused platform request is what the operator must see.
        process.stderr.write(`${this.errColors.yellow(`${r.status} ${safeLine(r.method)} ${safeLine(r.path)}: ${r.reason}`)}\n`)
      },
    }).catch(async (error: unknown) => {
      await log?.close()
      throw listenError(error, f.host, f.port) ?? error
    })

    let registered: Registered | undefined
    try {
      if (f.register || f.sandbox) registered = await this.register(server.url, authHeader)
      if (f.sandbox && (await this.sandbox()).inProcess) {
        this.warnUser('No running sandbox was found, so one runs inside this command: other terminals cannot call it. Start one with `ivr sandbox start` to call in with `ivr sandbox call --interactive`.')
      }
    } catch (error) {
      await server.close()
      await log?.close()
      throw error
    }
    const watcher = f.watch ? this.watchFile(file, knownProfiles, (menu) => server.setMenu(menu)) : undefined
    // Said on stderr also under --json: whoever runs it needs the URL.
    process.stderr.write(`Serving ${file} (${first!.nodes.size} node${first!.nodes.size === 1 ? '' : 's'}, entry ${first!.entry}) on ${server.url}${f.watch ? '; reloading on change' : ''}${log ? `; recording decisions in ${log.file}` : ''}; Ctrl-C to stop\n`)

    const reason = await this.waitForStop().stopped
    watcher?.close()
    await server.close()
    await log?.close()
    if (registered) await this.unregister(registered)
    if (reason !== 'EPIPE') this.status(`Answered ${counts.answered} request${counts.answered === 1 ? '' : 's'} (${counts.apologies} with the apology); refused ${counts.refused}.`)
    return undefined
  }

  /** --record FILE, else the decision log of the sub-account in force (the sandbox's under --sandbox; `default` with no account). */
  private async openDecisionLog(recordFlag: string | undefined): Promise<DecisionLog> {
    const f = this.flags
    const account = f.account ?? this.env.IVR_ACCOUNT ?? (f.sandbox || f.register ? (await this.credentials()).account : await this.storedDefaultAccount()) ?? 'default'
    const file = recordFlag ? path.resolve(recordFlag) : decisionsFileFor(this.paths.dataDir, account)
    return DecisionLog.open(file, {onError: (m) => this.warnUser(m)})
  }

  /** Serving needs no account: a stored-accounts file that cannot be read only costs the choice of log. */
  private async storedDefaultAccount(): Promise<string | undefined> {
    try {
      return (await this.accountStore().read()).default
    } catch (error) {
      this.warnUser(`${safeLine((error as Error).message)} Recording decisions under "default"; choose with --account or --record.`)
      return undefined
    }
  }

  /** The menu, checked; problems printed on stderr. Undefined when it has errors. */
  private async load(file: string, knownProfiles: ReadonlySet<string> | undefined, quietWarnings = false): Promise<Menu | undefined> {
    const loaded = await checkMenuFile(file, {knownProfiles, warnUnchecked: false})
    const {errors, warnings} = countBySeverity(loaded.problems)
    if (errors > 0 || !loaded.menu) {
      for (const p of loaded.problems.filter((x) => x.severity === 'error')) process.stderr.write(`${formatProblem(p, file, this.errColors)}\n`)
      this.warnUser(`${file} has ${errors} error${errors === 1 ? '' : 's'}; ${quietWarnings ? 'still serving the last good menu' : 'not serving it'}.`)
      return undefined
    }
    if (warnings > 0 && !quietWarnings) this.status(this.errColors.yellow(`${file}: ${warnings} warning${warnings === 1 ? '' : 's'} (see \`ivr menu check ${file}\`)`))
    return loaded.menu
  }


  /** Reloads on change (editors replace files, so the folder is watched); refuses a menu that fails the check. */
  private watchFile(file: string, knownProfiles: ReadonlySet<string> | undefined, use: (m: Menu) => void): FSWatcher {
    const base = path.basename(file)
    let timer: NodeJS.Timeout | undefined
    const reload = async () => {
      try {
        const menu = await this.load(file, knownProfiles, true)
        if (menu) {
          use(menu)
          this.status(`Reloaded ${file} (${menu.nodes.size} node${menu.nodes.size === 1 ? '' : 's'})`)
        }
      } catch (error) {
        this.warnUser(`Could not reload ${file}: ${safeLine((error as Error).message)}; still serving the last good menu.`)
      }
    }
    return watch(path.dirname(path.resolve(file)), (_event, name) => {
      if (name !== null && name !== base) return
      clearTimeout(timer)
      timer = setTimeout(() => void reload(), 100)
    })
  }

  private async register(url: string, authHeader: string | undefined): Promise<Registered> {
    const f = this.flags
    const creds = await this.credentials()
    const publicUrl = f['public-url'] ?? url.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://[::1]')
    const registered = await registerTemporarily(await this.api(), {
      configDir: this.paths.configDir, account: creds.account, baseUrl: creds.baseUrl, type: 'VCA', url: publicUrl,
      httpAuthHeader: authHeader, force: f.force || f.sandbox, pid: process.pid,
    })
    for (const w of registered.warnings) this.warnUser(w)
    this.status(`Registered the VCA webhook of ${safeLine(creds.account)} → ${safeLine(publicUrl)}${registered.replaced ? ` (was ${safeLine(registered.replaced.url)}; put back on exit)` : ' (removed on exit)'}`)
    return registered
  }

  private async unregister(registered: Registered): Promise<void> {
    try {
      const r = await restoreLease(await this.api(), registered.lease, registered.file)
      for (const w of r.warnings) this.warnUser(w)
      if (r.action !== 'left') this.status(r.action === 'restored' ? `Put the VCA webhook back: ${safeLine(r.url)}` : 'Removed the temporary VCA webhook.')
    } catch (error) {
      this.warnUser(`Could not put the VCA webhook back (${safeLine((error as Error).message)}). Run \`ivr webhooks restore\`.`)
    }
  }
}
