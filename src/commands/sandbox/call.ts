import {Flags} from '@oclif/core'

import {IvrCommand} from '../../cli/base-command.js'
import {ExitCode, interrupted, usageError} from '../../lib/errors.js'
import {startInboundCall, type SandboxTarget} from '../../lib/sandbox/control.js'
import type {Timeline} from '../../lib/sandbox/engine.js'
import {formatSummary} from '../../lib/sandbox/timeline-view.js'
import {safeLine} from '../../lib/render/safe.js'
import {inputCanSupplyLines} from '../../lib/stdin.js'
import {words} from '../../lib/glossary.js'

export default class SandboxCall extends IvrCommand<typeof SandboxCall> {
  static override summary = 'Call one of the sandbox\'s virtual numbers: an inbound IVR call, scripted or typed by you.'
  static override description = `The sandbox sends a CALL_RECEIVED VCA to the sub-account's VCA webhook, then plays what it answers. Keys come from --press (one entry per capture: "1,2#"), or, with --interactive, from your keyboard (one line per capture) or a pipe: prompts are printed as they play (and spoken through espeak-ng when it is installed). Ctrl-D, or the end of piped keys, hangs up as the caller; Ctrl-C hangs up too, then exits 130.

Exits 0 when the session ends COMPLETED, 7 otherwise.` + words('VCA')
  static override examples = [
    '<%= config.bin %> sandbox call --from +6591234567 --to +6531591234 --press 1,2',
    '<%= config.bin %> sandbox call --from +6591234567 --to +6531591234 --interactive',
    'printf "1\\n2\\n" | <%= config.bin %> sandbox call --from +6591234567 --interactive',
  ]
  static override flags = {
    from: Flags.string({summary: 'The caller\'s number (E.164).', required: true}),
    to: Flags.string({summary: 'The virtual number called (see `ivr numbers list --sandbox`).', default: '+6531591234'}),
    press: Flags.string({summary: 'Keys the caller presses, one entry per capture, e.g. "1,2#" (empty entry = nothing).', exclusive: ['interactive']}),
    interactive: Flags.boolean({char: 'i', summary: 'Be the caller: type the keys yourself (or pipe them in).'}),
    mute: Flags.boolean({summary: 'With --interactive: do not speak prompts through espeak-ng.'}),
    wait: Flags.boolean({summary: 'Follow the call to its end (default); --no-wait prints the session id at once.', default: true, allowNo: true}),
  }

  async run(): Promise<Timeline | {sessionId: string}> {
    const {flags} = this
    if (flags.interactive && this.jsonEnabled()) throw usageError('--interactive and --json do not go together: the call is shown as it happens.')
    if (flags.interactive && !inputCanSupplyLines(process.stdin)) throw usageError('--interactive needs a terminal to type keys on, or keys piped in.', ['Pipe them: printf "1\\n2\\n" | ivr sandbox call --from … --interactive', 'Or script them with --press 1,2.'])
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
    const {followCall} = await import('../../lib/caller/follow.js')
    const {espeakSpeaker} = await import('../../lib/caller/speech.js')
    const speaker = flags.interactive && !flags.mute && process.stdout.isTTY ? espeakSpeaker(process.env) : undefined
    const call = followCall(target, sessionId, {
      io: {out: (l) => this.out(l), ask: (t) => process.stderr.write(t), warn: (t) => this.warnUser(t)},
      colors: this.colors, askColors: this.errColors, keys: flags.interactive ? process.stdin : undefined, speaker,
    })
    // Ctrl-C is the caller hanging up: the session ends in the sandbox, then the command exits 130.
    let interrupt = false
    const onInt = () => {
      interrupt = true
      process.once('SIGINT', () => process.exit(ExitCode.INTERRUPTED))
      void call.hangUp()
    }
    process.once('SIGINT', onInt)
    const t = await call.ended.finally(() => process.off('SIGINT', onInt))
    this.out(formatSummary(t, this.colors))
    if (interrupt) throw interrupted()
    if (t.sessionStatus !== 'COMPLETED') {
      if (this.jsonEnabled()) this.logJson(t)
      this.exit(ExitCode.SESSION_NOT_COMPLETED)
    }
    return t
  }
}
