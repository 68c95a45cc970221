/**
 * What a run listens to: session summaries (an in-process receiver writing the sub-account's session
 * store, with the VSS webhook pointed at it under the crash-safe lease of `sessions tail --register`,
 * or, with --no-receive, the store that a running `ivr sessions tail` fills) and, for a menu, its
 * call actions (an in-process menu server, the VCA webhook leased the same way). `ivr webhooks
 * restore` repairs either registration after a kill -9. Runners of one campaign on one machine
 * share the first one's listener; when it goes, one of the others takes its place (Listener).
 */
import type {VoiceApi} from '../api/client.js'
import {ExitCode, IvrError, listenError, usageError} from '../errors.js'
import {startRouter, type Router} from '../http/server.js'
import {startMenuServer, type AnswerRecorder, type AnswerReport, type MenuServer} from '../menu/server.js'
import type {Menu} from '../menu/model.js'
import {readClaim, withFileLock} from '../file-claim.js'
import {leaseFileFor, listLeases, listenerSetupLockFor, readLease, restoreLease, type HeldLease, type Lease} from '../lease/lease.js'
import {processAlive} from '../process-alive.js'
import {startServing as startLeasedServer} from '../lease/serving.js'
import {runningReceiver} from '../sessions/lock.js'
import {parseStoredLine, readLines} from '../sessions/store.js'
import {readSummary, type ReadSummary} from '../webhooks/parse.js'
import {startTail, type Tail} from '../webhooks/tail.js'

/** Where the one listener of a run serves each webhook: the public URL with these paths is what is registered. */
export const MENU_PATH = '/vca'
export const SUMMARY_PATH = '/vss'

export interface ServingOptions {
  api: VoiceApi
  configDir: string
  account: string
  baseUrl: string
  storeFile: string
  menu?: Menu
  /** Summaries go here (the runner's summary()). */
  onSummary: (s: ReadSummary) => void
  onStep: (r: AnswerReport) => void
  /** Keeps each call action the menu answers (the decision log, as `ivr serve` does). */
  record?: AnswerRecorder
  warn: (message: string) => void
  /** Loopback URLs are registered as they are (the sandbox reaches them). */
  sandbox: boolean
  /** Where the platform reaches this machine's listener (real accounts): VSS goes to it + /vss, VCA to it + /vca. */
  publicUrl?: string
  host: string
  port: number
  authHeader?: string
  /** Read the store a running `sessions tail` fills instead of receiving. */
  noReceive?: boolean
  force?: boolean
  pid: number
  /**
   * Which campaign this run serves (name and where it is kept), written in the leases: a later
   * runner of the same campaign on this machine uses the listener of the runner holding them.
   */
  campaign: string
  /** How long to wait for another run setting up its listener (LISTENER_SETUP_WAIT_MS). */
  setupWaitMs?: number
  /** How often a run using another runner's listener looks whether that runner is still there (WATCH_MS). */
  watchMs?: number
  /** The runner whose listener this run used has stopped: what serves its webhooks now. */
  onListener?: (ev: ListenerEvent) => void
}

/**
 * The runner whose listener this run used has stopped (killed, or ended first): `now` says what
 * serves those webhooks from here on, this run's own listener (`tookOver`) or another runner's
 * that took over first.
 */
export interface ListenerEvent {
  type: 'listener'
  stoppedPid: number
  tookOver: boolean
  now: string[]
}

export interface Serving {
  /** What is listening, for the status line. */
  describe: string[]
  stop(): Promise<{warnings: string[]}>
}

/** The public URL with a path added (a URL that has a path keeps it: https://host/ivr + /vca). */
export function publicUrlWith(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path
}

const holderOf = (campaign: string) => `campaign run ${campaign}`

/** How often a run using another runner's listener looks whether that runner still runs (as lock and lease files do: its pid). */
export const WATCH_MS = 1000

/** How long a runner waits for another runner on this machine to finish setting up its listener. */
export const LISTENER_SETUP_WAIT_MS = 60_000

/**
 * Sets up what the run listens to while holding the account's listener-setup lock, so that another
 * runner sees either no listener or one whose leases are all taken, never one that has claimed the
 * session store but not yet leased VSS (it would then try to open that store itself and fail: two
 * runners started at the same moment). A later runner of the same campaign then uses that listener;
 * a runner of another campaign is refused on the leases.
 */
export async function startServing(o: ServingOptions): Promise<Serving> {
  const lockFile = listenerSetupLockFor(o.configDir, o.account)
  const waitMs = o.setupWaitMs ?? LISTENER_SETUP_WAIT_MS
  try {
    return await withFileLock(lockFile, () => startOnce(o), {pid: o.pid, timeoutMs: waitMs})
  } catch (error) {
    if ((error as IvrError).code !== 'LOCKED' || !(error as IvrError).message.startsWith(lockFile)) throw error
    const holder = await readClaim<{pid: number}>(lockFile)
    throw new IvrError(`Another run (pid ${holder?.pid ?? 'unknown'}) was still setting up its listener for ${o.account} after ${waitMs / 1000} s; gave up waiting for it.`, {
      code: 'LISTENER_SETUP_BUSY', exitCode: ExitCode.USAGE,
      suggestions: ['Check that run (it may be stuck reaching the platform), stop it if it is, then run this one again.'],
    })
  }
}

type Shared = 'VSS' | 'VCA'

/** Which campaign runner serves a webhook type (the holder of its live lease), if another one of this campaign does. */
async function sharingRunner(o: ServingOptions, type: Shared): Promise<number | undefined> {
  const lease = await readLease(leaseFileFor(o.configDir, o.account, type))
  if (!lease || lease.account !== o.account || lease.baseUrl !== o.baseUrl || lease.holder !== holderOf(o.campaign) || lease.pid === o.pid) return undefined
  return processAlive(lease.pid) ? lease.pid : undefined
}

const sharedWords = (type: Shared, pid: number) => `${type === 'VCA' ? 'call actions' : 'summaries'} served by runner pid ${pid} of this campaign`

async function startOnce(o: ServingOptions): Promise<Serving> {
  // A run killed earlier left its registrations leased: put them back first (what `webhooks restore` does).
  const shared = new Map<Shared, number>()
  for (const {file, lease, holderRunning} of await listLeases(o.configDir)) {
    if (lease.account !== o.account || lease.baseUrl !== o.baseUrl) continue
    if (lease.type !== 'VSS' && !(lease.type === 'VCA' && o.menu)) continue
    // Another runner of this campaign serves it on this machine: the platform has one URL per type, so use its listener.
    if (holderRunning && lease.holder === holderOf(o.campaign)) shared.set(lease.type, lease.pid)
    if (holderRunning) continue
    const restored = await restoreLease(o.api, lease, file)
    o.warn(`A run that stopped without cleaning up (pid ${lease.pid}) left the ${lease.type} webhook pointed at it; put back what was there before (${restored.action}).`)
  }
  const serveMenu = Boolean(o.menu) && !shared.has('VCA')
  const receive = !o.noReceive && !shared.has('VSS')
  if (!o.sandbox && !o.publicUrl && (serveMenu || receive)) {
    throw usageError(`With a real account, the platform must reach this machine for ${serveMenu ? "the menu's call actions and " : ''}session summaries.`, [
      `Give --public-url https://your-tunnel (a tunnel to --port; the run registers ${serveMenu ? `VCA at its ${MENU_PATH} and ` : ''}VSS at its ${SUMMARY_PATH}).`,
      ...(serveMenu ? [] : ['Or run `ivr sessions tail --register --public-url …` elsewhere and add --no-receive.']),
      'No account? Add --sandbox.',
    ])
  }
  const listener = new Listener(o, shared)
  const describe: string[] = []
  for (const [type, pid] of shared) describe.push(sharedWords(type, pid))
  try {
    // Sharing a runner's listener needs no store to follow: that runner records every summary in the shared journal.
    if (o.noReceive && !shared.has('VSS')) describe.push(await listener.serve('VSS'))
    if (serveMenu) describe.push(await listener.serve('VCA'))
    if (receive) describe.push(await listener.serve('VSS'))
  } catch (error) {
    await listener.stop()
    throw error
  }
  listener.watch()
  return {describe, stop: () => listener.stop()}
}

/**
 * What one run listens with: its own router (started when first needed) with the menu and the
 * receiver on it, or the store it follows; and, for the webhook types another runner of the
 * campaign serves, that runner, watched: once it is gone (killed, or stopped before this one) this
 * run takes its place, under the listener-setup lock, so that of several runners left exactly one
 * does and the others use its listener.
 */
class Listener {
  private router?: Router
  private readonly stops: Array<() => Promise<string[]>> = []
  private stopping = false
  private timer?: NodeJS.Timeout
  private ticking: Promise<void> = Promise.resolve()
  /** The last takeover failure said, so a failure that repeats is said once. */
  private lastFailure = ''

  constructor(private readonly o: ServingOptions, private readonly shared: Map<Shared, number>) {}

  private lease(type: Shared, path: string, takeOver?: Lease) {
    const o = this.o
    return {
      type, api: o.api, configDir: o.configDir, account: o.account, baseUrl: o.baseUrl, url: o.publicUrl && publicUrlWith(o.publicUrl, path),
      httpAuthHeader: o.authHeader, force: o.force || o.sandbox, pid: o.pid, holder: holderOf(o.campaign), ...(takeOver ? {takeOver} : {}),
    }
  }

  private get host() {
    return this.o.sandbox ? '127.0.0.1' : this.o.host
  }

  private get port() {
    return this.o.sandbox ? 0 : this.o.port
  }

  private async startRouter(): Promise<Router> {
    if (this.router) return this.router
    const {host, port} = this
    const router = await startRouter({host, port}).catch((error) => {
      throw listenError(error, host, port) ?? error
    })
    this.router = router
    this.stops.push(async () => {
      await router.close(2000)
      return []
    })
    return router
  }

  /**
   * Serves `type` itself: VCA, the menu on the router under a lease; VSS, the receiver under a
   * lease, or with --no-receive the store that a `sessions tail` fills. `takeOver`: the stale lease
   * of a runner that died, whose place this takes. Says what now serves it.
   */
  async serve(type: Shared, takeOver?: Lease): Promise<string> {
    const o = this.o
    if (type === 'VSS' && o.noReceive) {
      if (!(await runningReceiver(o.storeFile))) o.warn(`No \`ivr sessions tail\` is filling ${o.storeFile}: outcomes arrive only once one runs (or with \`ivr campaign reconcile\`).`)
      const follower = followStore(o.storeFile, o.onSummary)
      this.stops.push(async () => {
        await follower.stop()
        return []
      })
      return `summaries from ${o.storeFile}`
    }
    const router = await this.startRouter()
    const registered = (url: string, held?: HeldLease) => `${url}${held && held.lease.url !== url ? ` (registered as ${held.lease.url})` : ''}`
    if (type === 'VCA') {
      const served = await startLeasedServer<MenuServer>({
        start: () => startMenuServer({menu: o.menu!, router, path: MENU_PATH, authHeader: o.authHeader, onAnswer: o.onStep, record: o.record}),
        lease: this.lease('VCA', MENU_PATH, takeOver),
      }).catch((error) => {
        throw leaseBusy(error)
      })
      for (const w of served.held?.warnings ?? []) o.warn(w)
      this.stops.push(async () => {
        const r = await served.stop()
        if (r.restoreError) throw r.restoreError
        return r.restored?.warnings ?? []
      })
      return `menu at ${registered(served.server.url, served.held)}`
    }
    const tail: Tail = await startTail({
      storeFile: o.storeFile, pid: o.pid, warn: o.warn, host: this.host, port: this.port, router, path: SUMMARY_PATH, authHeader: o.authHeader,
      onEvent: (_ev, info) => {
        if (info.parsed.summary) o.onSummary(info.parsed.summary)
      },
      lease: this.lease('VSS', SUMMARY_PATH, takeOver),
    }).catch((error) => {
      throw storeBusy(leaseBusy(error))
    })
    for (const w of tail.held?.warnings ?? []) o.warn(w)
    this.stops.push(async () => {
      const r = await tail.stop()
      if (r.restoreError) throw r.restoreError
      return r.restored?.warnings ?? []
    })
    return `summaries at ${registered(tail.url, tail.held)}`
  }

  /** Looks every WATCH_MS whether the runners whose listener this run uses are still there. */
  watch(): void {
    if (this.shared.size === 0 || this.stopping) return
    this.timer = setTimeout(() => {
      this.ticking = this.tick().catch((error: unknown) => this.o.warn(`Could not look whether the runner whose listener this run uses still runs: ${(error as Error).message}`)).finally(() => this.watch())
    }, this.o.watchMs ?? WATCH_MS)
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    const gone = new Map<number, Shared[]>()
    for (const [type, pid] of this.shared) {
      if ((await sharingRunner(this.o, type)) === pid) continue
      gone.set(pid, [...(gone.get(pid) ?? []), type])
    }
    for (const [pid, types] of gone) {
      if (this.stopping) return
      await this.takeOver(pid, types).catch((error: unknown) => {
        const message = `Runner pid ${pid}, whose listener this run used, has stopped, and this run could not take its place: ${(error as Error).message} Outcomes of calls that end meanwhile arrive late (the live timeout, or \`ivr campaign reconcile\`); trying again.`
        if (message !== this.lastFailure) this.o.warn(message)
        this.lastFailure = message
      })
    }
  }

  /** Under the listener-setup lock: another survivor that took over first is used; else this run serves the types itself. */
  private async takeOver(gonePid: number, types: Shared[]): Promise<void> {
    const o = this.o
    const now = await withFileLock(listenerSetupLockFor(o.configDir, o.account), async () => {
      const words: string[] = []
      let tookOver = false
      for (const type of types) {
        if (this.stopping) break
        const other = await sharingRunner(o, type)
        if (other !== undefined) {
          this.shared.set(type, other)
          words.push(sharedWords(type, other))
          continue
        }
        if (!o.sandbox && !o.publicUrl && !(type === 'VSS' && o.noReceive)) {
          // Nothing to register: the platform cannot reach this run. Said once; the run goes on without it.
          this.shared.delete(type)
          o.warn(`Runner pid ${gonePid}, whose listener this run used, has stopped; without --public-url this run cannot take its place, so ${type === 'VCA' ? "the menu's call actions" : 'session summaries'} now reach no runner. Give every runner of the campaign the same --public-url so one can.`)
          continue
        }
        const file = leaseFileFor(o.configDir, o.account, type)
        const stale = await readLease(file)
        const ours = stale && stale.holder === holderOf(o.campaign) && stale.baseUrl === o.baseUrl && !processAlive(stale.pid)
        if (stale && !ours && !processAlive(stale.pid)) {
          const restored = await restoreLease(o.api, stale, file)
          o.warn(`A run that stopped without cleaning up (pid ${stale.pid}) left the ${type} webhook pointed at it; put back what was there before (${restored.action}).`)
        }
        words.push(await this.serve(type, ours ? stale : undefined))
        this.shared.delete(type)
        tookOver = true
      }
      return {words, tookOver}
    }, {pid: o.pid, timeoutMs: o.setupWaitMs ?? LISTENER_SETUP_WAIT_MS})
    this.lastFailure = ''
    if (now.words.length > 0) o.onListener?.({type: 'listener', stoppedPid: gonePid, tookOver: now.tookOver, now: now.words})
  }

  async stop(): Promise<{warnings: string[]}> {
    this.stopping = true
    clearTimeout(this.timer)
    await this.ticking
    const warnings: string[] = []
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        warnings.push(...(await stop()))
      } catch (error) {
        warnings.push(`${(error as Error).message} Run \`ivr webhooks restore\` to put the previous registration back.`)
      }
    }
    return {warnings}
  }
}

function leaseBusy(error: unknown): unknown {
  if ((error as IvrError).code !== 'LEASE_BUSY') return error
  return new IvrError((error as Error).message, {
    code: 'LEASE_BUSY', exitCode: ExitCode.USAGE,
    suggestions: ['A sub-account has one URL per webhook type: while it is held, another campaign cannot receive (or answer a menu) on it. Run this campaign after that one ends.', ...((error as IvrError).suggestions ?? [])],
  })
}

/** A receiver (`ivr sessions tail`) already fills the store: this run can read it instead (campaign run has no --store). */
function storeBusy(error: unknown): unknown {
  if ((error as IvrError).code !== 'STORE_BUSY') return error
  return new IvrError((error as Error).message, {
    code: 'STORE_BUSY', exitCode: ExitCode.USAGE,
    suggestions: ['Add --no-receive: this run then reads the summaries that receiver stores.', 'Or stop it first.'],
  })
}

/** Follows a store file from its start: every summary in it, then each new one (polled). */
export function followStore(file: string, onSummary: (s: ReadSummary) => void, pollMs = 250): {stop(): Promise<void>} {
  let offset = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let wake: (() => void) | undefined
  const scan = async () => {
    let last = offset
    for await (const line of readLines(file, {start: offset})) {
      if (line.torn) break
      last += Buffer.byteLength(line.text) + 1
      if (!line.text.includes('"SESSION_SUMMARY"')) continue
      const ev = parseStoredLine(line, file)
      if (ev?.type === 'SESSION_SUMMARY') onSummary(readSummary(ev.body))
    }
    offset = last
  }
  let running = (async () => {
    while (!stopped) {
      await scan().catch(() => {})
      await new Promise<void>((resolve) => {
        wake = resolve
        timer = setTimeout(resolve, pollMs)
      })
    }
  })()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      // A cleared timer never resolves its sleep: wake it, or stop() waits forever.
      wake?.()
      await running
      running = Promise.resolve()
    },
  }
}
