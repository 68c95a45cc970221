/**
 * What a run listens to: session summaries (an in-process receiver writing the sub-account's session
 * store, with the VSS webhook pointed at it under the crash-safe lease of `sessions tail --register`,
 * or, with --no-receive, the store that a running `ivr sessions tail` fills) and, for a menu, its
 * call actions (an in-process menu server, the VCA webhook leased the same way). `ivr webhooks
 * restore` repairs either registration after a kill -9.
 */
import type {VoiceApi} from '../api/client.js'
import {ExitCode, IvrError, listenError, usageError} from '../errors.js'
import {startRouter} from '../http/server.js'
import {startMenuServer, type AnswerRecorder, type AnswerReport, type MenuServer} from '../menu/server.js'
import type {Menu} from '../menu/model.js'
import {readClaim, withFileLock} from '../file-claim.js'
import {listLeases, listenerSetupLockFor, restoreLease, type HeldLease} from '../lease/lease.js'
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

async function startOnce(o: ServingOptions): Promise<Serving> {
  // A run killed earlier left its registrations leased: put them back first (what `webhooks restore` does).
  const shared = new Map<'VSS' | 'VCA', number>()
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
  const describe: string[] = []
  for (const [type, pid] of shared) describe.push(`${type === 'VCA' ? 'call actions' : 'summaries'} served by runner pid ${pid} of this campaign`)
  const stops: Array<() => Promise<string[]>> = []
  const stopAll = async () => {
    const warnings: string[] = []
    for (const stop of stops.reverse()) {
      try {
        warnings.push(...(await stop()))
      } catch (error) {
        warnings.push(`${(error as Error).message} Run \`ivr webhooks restore\` to put the previous registration back.`)
      }
    }
    return {warnings}
  }
  const lease = (type: 'VSS' | 'VCA', path: string) => ({
    type, api: o.api, configDir: o.configDir, account: o.account, baseUrl: o.baseUrl, url: o.publicUrl && publicUrlWith(o.publicUrl, path),
    httpAuthHeader: o.authHeader, force: o.force || o.sandbox, pid: o.pid, holder: holderOf(o.campaign),
  })
  const leaseBusy = (error: unknown) => {
    if ((error as IvrError).code !== 'LEASE_BUSY') return error
    return new IvrError((error as Error).message, {
      code: 'LEASE_BUSY', exitCode: ExitCode.USAGE,
      suggestions: ['A sub-account has one URL per webhook type: while it is held, another campaign cannot receive (or answer a menu) on it. Run this campaign after that one ends.', ...((error as IvrError).suggestions ?? [])],
    })
  }
  try {
    // Sharing a runner's listener needs no store to follow: that runner records every summary in the shared journal.
    if (o.noReceive && !shared.has('VSS')) {
      if (!(await runningReceiver(o.storeFile))) o.warn(`No \`ivr sessions tail\` is filling ${o.storeFile}: outcomes arrive only once one runs (or with \`ivr campaign reconcile\`).`)
      const follower = followStore(o.storeFile, o.onSummary)
      stops.push(async () => {
        await follower.stop()
        return []
      })
      describe.push(`summaries from ${o.storeFile}`)
    }
    if (!serveMenu && !receive) return {describe, stop: stopAll}
    const host = o.sandbox ? '127.0.0.1' : o.host
    const port = o.sandbox ? 0 : o.port
    const router = await startRouter({host, port}).catch((error) => {
      throw listenError(error, host, port) ?? error
    })
    stops.push(async () => {
      await router.close(2000)
      return []
    })
    const registered = (url: string, held?: HeldLease) => `${url}${held && held.lease.url !== url ? ` (registered as ${held.lease.url})` : ''}`
    if (serveMenu) {
      const menu = o.menu!
      const served = await startLeasedServer<MenuServer>({
        start: () => startMenuServer({menu, router, path: MENU_PATH, authHeader: o.authHeader, onAnswer: o.onStep, record: o.record}),
        lease: lease('VCA', MENU_PATH),
      }).catch((error) => {
        throw leaseBusy(error)
      })
      for (const w of served.held?.warnings ?? []) o.warn(w)
      stops.push(async () => {
        const r = await served.stop()
        if (r.restoreError) throw r.restoreError
        return r.restored?.warnings ?? []
      })
      describe.push(`menu at ${registered(served.server.url, served.held)}`)
    }
    if (receive) {
      const tail: Tail = await startTail({
        storeFile: o.storeFile, pid: o.pid, warn: o.warn, host, port, router, path: SUMMARY_PATH, authHeader: o.authHeader,
        onEvent: (_ev, info) => {
          if (info.parsed.summary) o.onSummary(info.parsed.summary)
        },
        lease: lease('VSS', SUMMARY_PATH),
      }).catch((error) => {
        throw leaseBusy(error)
      })
      for (const w of tail.held?.warnings ?? []) o.warn(w)
      stops.push(async () => {
        const r = await tail.stop()
        if (r.restoreError) throw r.restoreError
        return r.restored?.warnings ?? []
      })
      describe.push(`summaries at ${registered(tail.url, tail.held)}`)
    }
  } catch (error) {
    await stopAll()
    throw error
  }
  return {describe, stop: stopAll}
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
