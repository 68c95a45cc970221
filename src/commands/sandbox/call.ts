import {spawn, spawnSync} from 'node:child_process'
import readline from 'node:readline'

import {Flags} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {ExitCode, invalidInput} from '../../lib/errors.js'
import {getTimeline, sendDigits, startInboundCall, type SandboxTarget} from '../../lib/sandbox/control.js'
import type {Timeline} from '../../lib/sandbox/engine.js'
import {formatEventLine, formatSummary} from '../../lib/sandbox/timeline-view.js'
import {safeLine} from '../../lib/render/safe.js'

export default class SandboxCall extends IvrCommand<typeof SandboxCall> {
  static override summary = 'Call one of the sandbox\'s virtual numbers: an inbound IVR call, scripted or typed by you.'
  static override description = `The sandbox sends a CALL_RECEIVED VCA to the sub-account's VCA webhook, then plays what it answers. Keys come from --press (one entry per capture: "1,2#"), or, with --interactive, from your keyboard: prompts are printed as they play (and spoken through espeak-ng when it is installed).

Exits 0 when the session ends COMPLETED, 7 otherwise.`
  static override examples = [
    '<%= config.bin %> sandbox call --from +6591234567 --to +6531591234 --press 1,2',
    '<%= config.bin %> sandbox call --from +6591234567 --to +6531591234 --interactive',
  ]
  static override flags = {
    from: Flags.string({summary: 'The caller\'s number (E.164).', required: true}),
    to: Flags.string({summary: 'The virtual number called (see `ivr numbers list --sandbox`).', default: '+6531591234'}),
    press: Flags.string({summary: 'Keys the caller presses, one entry per capture, e.g. "1,2#" (empty entry = nothing).', exclusive: ['interactive']}),
    interactive: Flags.boolean({char: 'i', summary: 'Be the caller: type the keys yourself.'}),
    mute: Flags.boolean({summary: 'With --interactive: do not speak prompts through espeak-ng.'}),
    wait: Flags.boolean({summary: 'Follow the call to its end (default); --no-wait prints the session id at once.', default: true, allowNo: true}),
  }

  async run(): Promise<Timeline | {sessionId: string}> {
    const {flags} = this
    if (flags.interactive && this.jsonEnabled()) throw invalidInput('--interactive and --json do not go together: the call is shown as it happens.')
    const sb = await this.sandbox()
    const target: SandboxTarget = {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: flags.account ?? sb.subAccountId}
    const {sessionId} = await startInboundCall(target, {from: flags.from, to: flags.to, presses: flags.press, interactive: flags.interactive}).catch((error) => {
      if (/no VCA webhook/.test(error.message)) error.suggestions.push(`Register one, e.g. the built-in demo: ivr webhooks create --sandbox --type VCA --url ${sb.baseUrl}/sandbox/demo-vca`)
      throw error
    })
    this.status(`Session ${sessionId}: ${safeLine(flags.from)} calling ${safeLine(flags.to)}`)
    if (!flags.wait) {
      this.out(sessionId)
      return {sessionId}
    }

    const speak = flags.interactive && !flags.mute && process.stdout.isTTY && spawnSync('espeak-ng', ['--version'], {stdio: 'ignore'}).status === 0
    const rl = flags.interactive ? readline.createInterface({input: process.stdin}) : undefined
    rl?.on('line', (line) => {
      sendDigits(target, sessionId, line.trim()).catch((error) => this.warnUser(error.message))
    })
    let t: Timeline
    let seen = 0
    try {
      for (;;) {
        t = await getTimeline(target, sessionId, {waitMs: 25_000, since: seen})
        for (const e of t.events.slice(seen)) {
          const line = formatEventLine(t, e, this.colors)
          if (line) this.out(line)
          if (speak && (e.kind === 'say')) spawn('espeak-ng', [e.text], {stdio: 'ignore'}).on('error', () => {})
          if (flags.interactive && e.kind === 'waiting') {
            process.stderr.write(this.errColors.bold(`Your keys (${e.minDigits}-${e.maxDigits} digits${e.completeOnHash ? ', # to finish' : ''}), then Enter: `))
          }
        }
        seen = t.events.length
        if (t.state === 'ended') break
      }
    } finally {
      rl?.close()
    }
    this.out(formatSummary(t, this.colors))
    if (t.sessionStatus !== 'COMPLETED') {
      if (this.jsonEnabled()) this.logJson(t)
      this.exit(ExitCode.SESSION_NOT_COMPLETED)
    }
    return t
  }
}
