import {promises as fs} from 'node:fs'

import {Flags} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {invalidInput, listenError, usageError} from '../../lib/errors.js'
import {writeFileAtomic} from '../../lib/fs-atomic.js'
import {discoveryFile, liveSandbox, probeSandbox, readDiscovery, type SandboxDiscovery} from '../../lib/sandbox/connect.js'
import {isSandboxError} from '../../lib/sandbox/engine.js'
import {describePopulation} from '../../lib/sandbox/population.js'
import {populationFlags, populationOfFlags} from '../../lib/sandbox/population-flags.js'
import {formatSummary} from '../../lib/sandbox/timeline-view.js'

export default class SandboxStart extends IvrCommand<typeof SandboxStart> {
  static override summary = 'Run the local sandbox: a stand-in for the 8x8 Voice platform on this machine.'
  static override description = `Serves the same API paths, bodies and status codes as the real platform, runs simulated calls (virtual clock), and POSTs webhooks to the URLs you register. Runs until Ctrl-C. Other commands find it through a discovery file in the data folder: add --sandbox to any API command.

Magic destination numbers, control endpoints and defaults: docs/sandbox.md.`
  static override examples = [
    '<%= config.bin %> sandbox start',
    '<%= config.bin %> sandbox start --port 0 --state sandbox-state.json',
    '<%= config.bin %> sandbox start --realtime --duplicates',
    '<%= config.bin %> sandbox start --demo',
    '<%= config.bin %> sandbox start --population answer=70,busy=10,no-answer=15,failed=5 --presses 1=60,2=30,none=10 --seed 7 --cps 50 --max-calls 20',
  ]
  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0 = any free port).', default: 8765, min: 0, max: 65_535, env: 'IVR_SANDBOX_PORT'}),
    host: Flags.string({summary: 'Address to bind (loopback by default; anything else exposes it to the network).', default: '127.0.0.1'}),
    'api-key': Flags.string({summary: 'API key the sandbox accepts (default: sandbox-key). Not a real secret: it guards a local emulator.', env: 'IVR_SANDBOX_API_KEY'}),
    state: Flags.string({summary: 'Keep the sandbox state (webhooks, numbers, sessions, exports) in this file across restarts.'}),
    realtime: Flags.boolean({summary: 'Pace calls in real time (for watching), instead of the virtual clock.'}),
    numbers: Flags.string({summary: 'Virtual numbers to seed, comma separated (replaces the default list).'}),
    'any-source': Flags.boolean({summary: 'Accept any makeCall source (no -1014 for numbers outside the sub-account).'}),
    duplicates: Flags.boolean({summary: 'Deliver some session summaries (VSS) twice, to test that receivers are idempotent.'}),
    'take-over': Flags.boolean({summary: 'Start even though another sandbox runs: --sandbox commands then use this one.'}),
    demo: Flags.boolean({summary: 'Start every sub-account with the built-in demo responder as its VCA webhook, so a first IVR needs nothing else.'}),
    ...populationFlags,
    cps: Flags.string({summary: 'Send Callflow requests accepted per second; more are answered 429 with Retry-After.'}),
    'max-calls': Flags.integer({summary: 'Calls live at once; more end with ERROR -2010 (trunk capacity exceeded).', min: 1}),
  }

  async run(): Promise<void> {
    const {flags} = this
    const numbers = flags.numbers?.split(',').map((n) => n.trim()).filter(Boolean)
    const bad = numbers?.find((n) => !/^\+?[1-9]\d{6,14}$/.test(n))
    if (bad) throw invalidInput(`--numbers: "${bad}" is not a phone number in E.164 form.`, ['For example --numbers +6531591234,+14155550123'])
    const population = populationOfFlags(flags)
    const cps = flags.cps === undefined ? undefined : Number(flags.cps)
    if (cps !== undefined && !(Number.isFinite(cps) && cps > 0)) throw invalidInput(`--cps: "${flags.cps}" is not a number of calls per second above 0.`, ['For example --cps 10 or --cps 0.5'])

    // A live sandbox keeps its discovery file: a second one refuses unless asked to take over.
    const existing = await liveSandbox(this.paths.dataDir, process.pid)
    if (existing && !flags['take-over']) {
      throw usageError(`A sandbox already runs at ${existing.baseUrl} (pid ${existing.pid}, since ${existing.startedAt}); --sandbox commands use it.`, [
        'Use that one, or stop it (Ctrl-C in its terminal) and start again.',
        'Or start this one with --take-over: --sandbox commands then use the new one, and the old one keeps running unseen.',
      ])
    }

    const {startSandbox} = await import('../../lib/sandbox/server.js')
    let sb
    try {
      sb = await startSandbox({
        host: flags.host, port: flags.port, apiKey: flags['api-key'], stateFile: flags.state, realtime: flags.realtime,
        numbers, enforceSourceNumbers: !flags['any-source'], duplicates: flags.duplicates, demoVca: flags.demo,
        population, cps, maxCalls: flags['max-calls'],
        onSessionEnd: (t) => this.status(this.errColors.dim(formatSummary(t, this.errColors))),
      })
    } catch (error) {
      const e = error as NodeJS.ErrnoException
      // One reading of listen failures for every command that listens (a usage error, exit 2).
      const listen = listenError(error, flags.host, flags.port)
      if (listen) throw listen
      if (isSandboxError(error)) throw invalidInput(error.message)
      if (e.code === 'EACCES' && flags.state && e.path === flags.state) throw invalidInput(`Cannot read the state file ${flags.state}: permission denied.`)
      throw error
    }

    const info: SandboxDiscovery = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, pid: process.pid, startedAt: new Date().toISOString()}
    const file = discoveryFile(this.paths.dataDir)
    await writeFileAtomic(file, JSON.stringify(info, null, 2) + '\n', {mode: 0o600})

    if (existing) this.warnUser(`took over from the sandbox at ${existing.baseUrl} (pid ${existing.pid}), which still runs: --sandbox commands now use this one.`)
    if (this.jsonEnabled()) this.logJson(info)
    else {
      const c = this.colors
      this.out([
        `Sandbox running at ${c.bold(sb.baseUrl)}`,
        `  base URL:     ${sb.baseUrl}`,
        `  API key:      ${sb.apiKey}`,
        `  sub-account:  ${sb.subAccountId} (any id of 3-50 letters, digits, - . _ & works)`,
        `  caller id:    +6531591234 (and the other numbers of \`ivr numbers list --sandbox\`)`,
        `  demo VCA URL: ${sb.baseUrl}/sandbox/demo-vca${flags.demo ? ' (registered as every sub-account\'s VCA webhook)' : ''}`,
        ...(population ? [`  population:   ${describePopulation(population)}`] : []),
        ...(cps === undefined && flags['max-calls'] === undefined ? [] : [`  limits:       ${[cps && `${cps} calls/s`, flags['max-calls'] && `${flags['max-calls']} live calls`].filter(Boolean).join(', ')}`]),
      ].join('\n'))
      if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') this.warnUser(`bound to ${flags.host}: other machines can reach the sandbox.`)
      this.status('Use --sandbox on any command. Press Ctrl-C to stop.')
    }

    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    this.status('Stopping the sandbox...')
    await sb.close()
    // Only our own discovery file: another sandbox may have taken over since. One we took over from
    // and that still runs gets its file back.
    const now = await readDiscovery(this.paths.dataDir)
    if (now?.pid === process.pid) {
      const previous = existing && (await probeSandbox(existing.baseUrl)) ? existing : undefined
      if (previous) await writeFileAtomic(file, JSON.stringify(previous, null, 2) + '\n', {mode: 0o600})
      else await fs.rm(file, {force: true})
    }
  }
}
