/**
 * What a run listens to: session summaries (an in-process receiver writing the sub-account's session
 * store, with the VSS webhook pointed at it under the crash-safe lease of `sessions tail --register`,
 * or, with --no-receive, the store that a running `ivr sessions tail` fills) and, for a menu, its
 * call actions (an in-process menu server, the VCA webhook leased the same way). `ivr webhooks
 * restore` repairs either registration after a kill -9.
 */
import type {VoiceApi} from '../api/client.js'
import {usageError} from '../errors.js'
import {startMenuServer, type AnswerRecorder, type AnswerReport, type MenuServer} from '../menu/server.js'
import type {Menu} from '../menu/model.js'
import {listLeases, restoreLease} from '../lease/lease.js'
import {startServing as startLeasedServer} from '../lease/serving.js'
import {runningReceiver} from '../sessions/lock.js'
import {parseStoredLine, readLines} from '../sessions/store.js'
import {readSummary, type ReadSummary} from '../webhooks/parse.js'
import {startTail, type Tail} from '../webhooks/tail.js'

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
  /** Where the platform reaches the receiver and the menu server (real accounts). */
  publicUrl?: string
  menuPublicUrl?: string
  host: string
  port: number
  menuPort: number
  authHeader?: string
  /** Read the store a running `sessions tail` fills instead of receiving. */
  noReceive?: boolean
  force?: boolean
  pid: number
}

export interface Serving {
  /** What is listening, for the status line. */
  describe: string[]
  stop(): Promise<{warnings: string[]}>
}

export async function startServing(o: ServingOptions): Promise<Serving> {
  if (!o.sandbox && !o.noReceive && !o.publicUrl) {
    throw usageError('With a real account, the platform must reach this machine for session summaries.', [
      'Give --public-url https://your-tunnel (to --port), or run `ivr sessions tail --register --public-url …` elsewhere and add --no-receive.',
      'No account? Add --sandbox.',
    ])
  }
  if (o.menu && !o.sandbox && !o.menuPublicUrl) {
    throw usageError('A menu campaign with a real account needs --menu-public-url: where the platform reaches the menu server (--menu-port).', [
      'e.g. --menu-public-url https://your-tunnel-2 for a tunnel to --menu-port.',
    ])
  }
  // A run killed earlier left its registrations leased: put them back first (what `webhooks restore` does).
  for (const {file, lease, holderRunning} of await listLeases(o.configDir)) {
    if (holderRunning || lease.account !== o.account || lease.baseUrl !== o.baseUrl) continue
    if (lease.type !== 'VSS' && !(lease.type === 'VCA' && o.menu)) continue
    const restored = await restoreLease(o.api, lease, file)
    o.warn(`A run that stopped without cleaning up (pid ${lease.pid}) left the ${lease.type} webhook pointed at it; put back what was there before (${restored.action}).`)
  }
  const describe: string[] = []
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
  try {
    if (o.menu) {
      const menu = o.menu
      const served = await startLeasedServer<MenuServer>({
        start: () => startMenuServer({menu, host: o.sandbox ? '127.0.0.1' : o.host, port: o.sandbox ? 0 : o.menuPort, authHeader: o.authHeader, onAnswer: o.onStep, record: o.record}),
        lease: {api: o.api, configDir: o.configDir, account: o.account, baseUrl: o.baseUrl, type: 'VCA', url: o.menuPublicUrl, httpAuthHeader: o.authHeader, force: o.force || o.sandbox, pid: o.pid},
      })
      for (const w of served.held?.warnings ?? []) o.warn(w)
      stops.push(async () => {
        const r = await served.stop()
        if (r.restoreError) throw r.restoreError
        return r.restored?.warnings ?? []
      })
      const url = served.held?.lease.url ?? served.server.url
      describe.push(`menu at ${served.server.url}${url === served.server.url ? '' : ` (registered as ${url})`}`)
    }
    if (o.noReceive) {
      if (!(await runningReceiver(o.storeFile))) o.warn(`No \`ivr sessions tail\` is filling ${o.storeFile}: outcomes arrive only once one runs (or with \`ivr campaign reconcile\`).`)
      const follower = followStore(o.storeFile, o.onSummary)
      stops.push(async () => {
        await follower.stop()
        return []
      })
      describe.push(`summaries from ${o.storeFile}`)
    } else {
      const tail: Tail = await startTail({
        storeFile: o.storeFile, pid: o.pid, warn: o.warn, host: o.sandbox ? '127.0.0.1' : o.host, port: o.sandbox ? 0 : o.port, authHeader: o.authHeader,
        onEvent: (_ev, info) => {
          if (info.parsed.summary) o.onSummary(info.parsed.summary)
        },
        lease: {api: o.api, configDir: o.configDir, account: o.account, baseUrl: o.baseUrl, url: o.publicUrl, httpAuthHeader: o.authHeader, force: o.force || o.sandbox, pid: o.pid},
      })
      for (const w of tail.held?.warnings ?? []) o.warn(w)
      stops.push(async () => {
        const r = await tail.stop()
        if (r.restoreError) throw r.restoreError
        return r.restored?.warnings ?? []
      })
      const registered = tail.held?.lease.url
      describe.push(`summaries at ${tail.url}${registered && registered !== tail.url ? ` (registered as ${registered})` : ''}`)
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
