import {Flags} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../../cli/base-command.js'
import {isLoopbackHost} from '../../lib/http/address.js'
import {populationFlags} from '../../cli/population-flags.js'
import {describeSandbox, startLocalSandbox} from '../../lib/sandbox/start.js'
import {words} from '../../lib/glossary.js'

export default class SandboxStart extends IvrCommand<typeof SandboxStart> {
  static override baseFlags = localBaseFlags
  static override summary = 'Run the local sandbox: a stand-in for the 8x8 Voice platform on this machine.'
  static override description = `Serves the same API paths, bodies and status codes as the real platform, runs simulated calls (virtual clock), and POSTs webhooks to the URLs you register. Runs until Ctrl-C. Other commands find it through a discovery file in the data folder: add --sandbox to any API command.

Magic destination numbers, control endpoints and defaults: docs/sandbox.md.` + words('VCA', 'VSS')
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
    const started = await startLocalSandbox(flags, {dataDir: this.paths.dataDir, pid: process.pid, output: this.output, errColors: this.errColors})
    if (this.jsonEnabled()) this.logJson(started.info)
    else {
      this.out(describeSandbox(started.sandbox, flags, this.colors))
      if (!isLoopbackHost(flags.host)) this.warnUser(`bound to ${flags.host}: other machines can reach the sandbox.`)
      this.status('Use --sandbox on any command. Press Ctrl-C to stop.')
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    this.status('Stopping the sandbox...')
    await started.stop()
  }
}
