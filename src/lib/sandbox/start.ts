/**
 * `ivr sandbox start`: its options checked, the sandbox started with its discovery file (one live
 * sandbox per data folder unless taken over), what it offers said, and on stop the file put back.
 */
import {promises as fs} from 'node:fs'

import {isE164Shape} from '../callflow/phone.js'
import {invalidInput, listenError, usageError} from '../errors.js'
import type {Output} from '../output.js'
import type {Colors} from '../render/colors.js'
import {discoveryFile, liveSandbox, probeSandbox, readDiscovery, writeDiscovery, type SandboxDiscovery} from './connect.js'
import {isSandboxError} from './engine.js'
import {describePopulation, populationOfFlags} from './population.js'
import type {RunningSandbox, SandboxOptions} from './server.js'
import {formatSummary} from './timeline-view.js'

/** The flag values of `sandbox start`. */
export interface StartFlags {
  port: number
  host: string
  'api-key'?: string
  state?: string
  realtime?: boolean
  numbers?: string
  'any-source'?: boolean
  duplicates?: boolean
  'take-over'?: boolean
  demo?: boolean
  population?: string
  presses?: string
  seed: number
  cps?: string
  'max-calls'?: number
}

/** The sandbox's options from the flags, or a clear refusal (exit 4) of the first bad one. */
export function sandboxOptionsFrom(flags: StartFlags): SandboxOptions {
  const numbers = flags.numbers?.split(',').map((n) => n.trim()).filter(Boolean)
  const bad = numbers?.find((n) => !isE164Shape(n))
  if (bad) throw invalidInput(`--numbers: "${bad}" is not a phone number in E.164 form.`, ['For example --numbers +6531591234,+14155550123'])
  const population = populationOfFlags(flags)
  const cps = flags.cps === undefined ? undefined : Number(flags.cps)
  if (cps !== undefined && !(Number.isFinite(cps) && cps > 0)) throw invalidInput(`--cps: "${flags.cps}" is not a number of calls per second above 0.`, ['For example --cps 10 or --cps 0.5'])
  return {
    host: flags.host, port: flags.port, apiKey: flags['api-key'], stateFile: flags.state, realtime: flags.realtime,
    numbers, enforceSourceNumbers: !flags['any-source'], duplicates: flags.duplicates, demoVca: flags.demo,
    population, cps, maxCalls: flags['max-calls'],
  }
}

export interface StartedSandbox {
  sandbox: RunningSandbox
  info: SandboxDiscovery
  /** The live sandbox this one took over from (--take-over), if any. */
  previous?: SandboxDiscovery
  /** Closes the sandbox, then removes its discovery file, or gives it back to the one taken over from if that still runs. */
  stop(): Promise<void>
}

/** Starts the sandbox of `sandbox start` and writes its discovery file; session summaries go to `output.status`. */
export async function startLocalSandbox(flags: StartFlags, ctx: {dataDir: string; pid: number; output: Output; errColors: Colors}): Promise<StartedSandbox> {
  const options = sandboxOptionsFrom(flags)
  // A live sandbox keeps its discovery file: a second one refuses unless asked to take over.
  const existing = await liveSandbox(ctx.dataDir, ctx.pid)
  if (existing && !flags['take-over']) {
    throw usageError(`A sandbox already runs at ${existing.baseUrl} (pid ${existing.pid}, since ${existing.startedAt}); --sandbox commands use it.`, [
      'Use that one, or stop it (Ctrl-C in its terminal) and start again.',
      'Or start this one with --take-over: --sandbox commands then use the new one, and the old one keeps running unseen.',
    ])
  }
  const {startSandbox} = await import('./server.js')
  let sb: RunningSandbox
  try {
    sb = await startSandbox({...options, onSessionEnd: (t) => ctx.output.status(ctx.errColors.dim(formatSummary(t, ctx.errColors)))})
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    // One reading of listen failures for every command that listens (a usage error, exit 2).
    const listen = listenError(error, flags.host, flags.port)
    if (listen) throw listen
    if (isSandboxError(error)) throw invalidInput(error.message)
    if (e.code === 'EACCES' && flags.state && e.path === flags.state) throw invalidInput(`Cannot read the state file ${flags.state}: permission denied.`)
    throw error
  }
  const info: SandboxDiscovery = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, pid: ctx.pid, startedAt: new Date().toISOString()}
  await writeDiscovery(ctx.dataDir, info)
  if (existing) ctx.output.warn(`took over from the sandbox at ${existing.baseUrl} (pid ${existing.pid}), which still runs: --sandbox commands now use this one.`)
  return {
    sandbox: sb, info, previous: existing,
    async stop() {
      await sb.close()
      // Only our own discovery file: another sandbox may have taken over since. One we took over from
      // and that still runs gets its file back.
      const now = await readDiscovery(ctx.dataDir)
      if (now?.pid === ctx.pid) {
        const previous = existing && (await probeSandbox(existing.baseUrl)) ? existing : undefined
        if (previous) await writeDiscovery(ctx.dataDir, previous)
        else await fs.rm(discoveryFile(ctx.dataDir), {force: true})
      }
    },
  }
}

/** What a person needs to use the running sandbox. */
export function describeSandbox(sb: RunningSandbox, flags: StartFlags, c: Colors): string {
  const {population, cps} = sandboxOptionsFrom(flags)
  return [
    `Sandbox running at ${c.bold(sb.baseUrl)}`,
    `  base URL:     ${sb.baseUrl}`,
    `  API key:      ${sb.apiKey}`,
    `  sub-account:  ${sb.subAccountId} (any id of 3-50 letters, digits, - . _ & works)`,
    `  caller id:    +6531591234 (and the other numbers of \`ivr numbers list --sandbox\`)`,
    `  demo VCA URL: ${sb.baseUrl}/sandbox/demo-vca${flags.demo ? ' (registered as every sub-account\'s VCA webhook)' : ''}`,
    ...(population ? [`  population:   ${describePopulation(population)}`] : []),
    ...(cps === undefined && flags['max-calls'] === undefined ? [] : [`  limits:       ${[cps && `${cps} calls/s`, flags['max-calls'] && `${flags['max-calls']} live calls`].filter(Boolean).join(', ')}`]),
  ].join('\n')
}
