/**
 * `ivr serve`: a menu file answering VCA webhooks, reloaded on change with --watch, each answer
 * said as a line (NDJSON under --json) and kept in the decision log. The command owns the flags,
 * the lease and the stop signals (ServingCommand); this owns the menu and what is said about it.
 */
import {decisionRecorder, type DecisionLog} from '../analytics/decisions.js'
import {formatProblem} from '../callflow/report.js'
import {listenError} from '../errors.js'
import {startServing, type Serving, type ServingOptions} from '../lease/serving.js'
import type {Output} from '../output.js'
import type {Colors} from '../render/colors.js'
import {safeLine} from '../render/safe.js'
import type {Menu} from './model.js'
import {loadServableMenu, watchFile} from './reload.js'
import {answerLine, answerRecord} from './report.js'
import {startMenuServer, type MenuServer} from './server.js'

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

export interface MenuServingOptions {
  file: string
  host: string
  port: number
  path?: string
  authHeader?: string
  watch: boolean
  /** Voices of the account's cached list, for the menu check (undefined: not checked). */
  knownProfiles?: ReadonlySet<string>
  output: Output
  /** One line per answered request, on stdout also under --json (then NDJSON). */
  writeLine(line: string): void
  json: boolean
  colors: Colors
  errColors: Colors
}

export class MenuServing {
  readonly counts = {answered: 0, apologies: 0, refused: 0}
  private watcher?: {close(): void}
  private log?: DecisionLog

  constructor(private readonly opts: MenuServingOptions) {}

  /**
   * The menu when it passes the check; its errors said otherwise. The first load throws what stops
   * the file being read; a reload warns and keeps the last good menu.
   */
  async load(reload: boolean): Promise<Menu | undefined> {
    const {file, output: o} = this.opts
    const r = await loadServableMenu(file, this.opts.knownProfiles).catch((error: unknown) => {
      if (!reload) throw error
      o.warn(`Could not reload ${file}: ${safeLine((error as Error).message)}; still serving the last good menu.`)
      return undefined
    })
    if (!r) return undefined
    for (const p of r.errors) o.notice(formatProblem(p, file, this.opts.errColors))
    if (!r.menu) o.warn(`${file} has ${plural(r.errors.length, 'error')}; ${reload ? 'still serving the last good menu' : 'not serving it'}.`)
    else if (reload) o.status(`Reloaded ${file} (${plural(r.menu.nodes.size, 'node')})`)
    else if (r.warnings > 0) o.status(this.opts.errColors.yellow(`${file}: ${plural(r.warnings, 'warning')} (see \`ivr menu check ${file}\`)`))
    return r.menu
  }

  /** Starts the server on `menu` (and takes the lease, if any); `log` is closed here from now on, also when this fails. */
  async start(menu: Menu, log: DecisionLog | undefined, lease: ServingOptions<never>['lease']): Promise<Serving<MenuServer>> {
    const {opts} = this
    const {output: o, colors, errColors} = opts
    this.log = log
    return startServing({
      start: () => startMenuServer({
        menu, host: opts.host, port: opts.port, path: opts.path, authHeader: opts.authHeader, ...(log ? {record: decisionRecorder(log, opts.file)} : {}),
        onAnswer: (r) => {
          this.counts.answered++
          if (r.answer.problem) {
            this.counts.apologies++
            o.warn(`Answered ${safeLine(r.sessionId ?? 'a request')} with the apology: ${safeLine(r.answer.problem)}`)
          }
          opts.writeLine(opts.json ? JSON.stringify(answerRecord(r)) : answerLine(r, colors))
        },
        onRefused: (r) => {
          this.counts.refused++
          // On stderr also under --json: a refused platform request is what the operator must see.
          o.notice(errColors.yellow(`${r.status} ${safeLine(r.method)} ${safeLine(r.path)}: ${r.reason}`))
        },
      }).catch((error: unknown) => Promise.reject(listenError(error, opts.host, opts.port) ?? error)),
      lease,
    }).catch(async (error: unknown) => {
      await this.close()
      throw error
    })
  }

  /** Says where it serves (on stderr also under --json: whoever runs it needs the URL), and starts watching the file. */
  listening(server: MenuServer, first: Menu): void {
    const {file, watch} = this.opts
    if (watch) {
      this.watcher = watchFile(file, () => void this.load(true).then((menu) => {
        if (menu) server.setMenu(menu)
      }))
    }
    this.opts.output.notice(`Serving ${file} (${plural(first.nodes.size, 'node')}, entry ${first.entry}) on ${server.url}${watch ? '; reloading on change' : ''}${this.log ? `; recording decisions in ${this.log.file}` : ''}; Ctrl-C to stop`)
  }

  /** Stops watching and closes the log; says what was answered unless stopped by a closed stdout. */
  async finish(reason: string): Promise<void> {
    await this.close()
    const c = this.counts
    if (reason !== 'EPIPE') this.opts.output.status(`Answered ${plural(c.answered, 'request')} (${c.apologies} with the apology); refused ${c.refused}.`)
  }

  private async close(): Promise<void> {
    this.watcher?.close()
    await this.log?.close()
  }
}
