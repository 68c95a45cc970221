import {Args, Flags} from '@oclif/core'

import {IvrCommand} from '../cli/base-command.js'
import {CAPTURE_DEFAULTS as D, DEFAULT_VOICE_PROFILE, LIMITS} from '../lib/callflow/types.js'
import {CallflowSender, quickStepsFrom, type SendResult} from '../lib/send/send-callflow.js'
import {interrupted} from '../lib/errors.js'
import {words} from '../lib/glossary.js'

export default class SendCallflow extends IvrCommand<typeof SendCallflow> {
  static override summary = 'Start a call: send a callflow from a file, stdin, or quick flags.'
  static override description = `The callflow is checked locally first (the same checks as \`ivr callflow validate\`) and refused with exit 4 when it has errors, unless --no-validate. A NOT_CREATED answer from the platform also exits 4, with its code, message and what the code means.

Quick flags build the callflow without a file: makeCall from --from to --to, then --say, --play, --capture and --hangup in the order given. --voice sets the voice of the spoken steps after it (before the first --voice: the first one given; none at all: ${DEFAULT_VOICE_PROFILE}). A capture takes the defaults shown below unless told otherwise.` + words('VCA')
  static override examples = [
    '<%= config.bin %> send-callflow reminder.json',
    '<%= config.bin %> send-callflow reminder.yaml --var name=Alice --var to=+6591234567 --valid-until 10m',
    'cat flow.json | <%= config.bin %> send-callflow -',
    '<%= config.bin %> send-callflow --from +6531591234 --to +6591234567 --voice en-GB-Emma --say "Your parcel arrives today." --hangup',
    '<%= config.bin %> send-callflow --from +6531591234 --to +6591234567 --capture "Press 1 to confirm, 2 to cancel." --max-digits 1',
    '<%= config.bin %> send-callflow flow.json --dry-run',
  ]
  static override args = {
    file: Args.string({description: 'A JSON or YAML callflow request; - reads standard input. Leave out to use quick flags.'}),
  }
  static override flags = {
    from: Flags.string({summary: 'Caller id (source number, E.164): a number whitelisted for the sub-account.', helpGroup: 'QUICK'}),
    to: Flags.string({summary: 'Number to call (destination, E.164).', helpGroup: 'QUICK'}),
    say: Flags.string({summary: 'Speak a text (repeatable, in order).', multiple: true, multipleNonGreedy: true, helpGroup: 'QUICK'}),
    play: Flags.string({summary: 'Play an mp3 or wav from an http(s) URL (repeatable, in order).', multiple: true, multipleNonGreedy: true, helpGroup: 'QUICK'}),
    capture: Flags.string({summary: 'Speak a menu prompt and capture digits (sent to the VCA webhook).', multiple: true, multipleNonGreedy: true, helpGroup: 'QUICK'}),
    hangup: Flags.boolean({summary: 'End the call (at this point in the order).', helpGroup: 'QUICK'}),
    voice: Flags.string({summary: 'Voice profile for the spoken steps after it (see `ivr profiles list`).', multiple: true, multipleNonGreedy: true, helpGroup: 'QUICK'}),
    'min-digits': Flags.integer({summary: `Capture: fewest digits (default ${D.minDigits}).`, min: 1, max: LIMITS.maxDigits, helpGroup: 'CAPTURE'}),
    'max-digits': Flags.integer({summary: `Capture: most digits (default ${D.maxDigits}, at most ${LIMITS.maxDigits}).`, min: 1, max: LIMITS.maxDigits, helpGroup: 'CAPTURE'}),
    'digit-timeout': Flags.integer({summary: `Capture: ms allowed between digits (default ${D.digitTimeout}).`, min: 1, helpGroup: 'CAPTURE'}),
    'overall-timeout': Flags.integer({summary: `Capture: ms allowed overall (default ${D.overallTimeout}, at least --digit-timeout).`, min: 1, helpGroup: 'CAPTURE'}),
    tries: Flags.integer({summary: `Capture: times the prompt is played when nothing is pressed (default ${D.noOfTries}).`, min: 1, helpGroup: 'CAPTURE'}),
    'complete-on-hash': Flags.boolean({summary: 'Capture: # ends the input.', helpGroup: 'CAPTURE'}),
    var: Flags.string({summary: 'Fill {{name}} placeholders in the file: name=value (repeatable).', multiple: true, multipleNonGreedy: true}),
    'valid-until': Flags.string({summary: 'Do not start the call after this: a duration (10m, 1h30m) or a date-time.'}),
    'client-request-id': Flags.string({summary: 'Your id for this request; it comes back in the session summary.'}),
    validate: Flags.boolean({summary: 'Check the callflow locally before sending (--no-validate lets the platform judge).', default: true, allowNo: true}),
    'dry-run': Flags.boolean({summary: 'Print the URL and body that would be sent, and send nothing.'}),
    menu: Flags.string({summary: 'Open a menu file: call --to from --from and play its entry node. With --sandbox the menu also answers the VCA webhooks for the length of the command, so it needs --wait.', helpGroup: 'SESSION'}),
    wait: Flags.boolean({summary: 'Wait for the session summary, print it, and exit by outcome: 0 COMPLETED, 7 any other, 6 no summary in time.', helpGroup: 'SESSION'}),
    timeout: Flags.string({summary: 'How long --wait waits (default 5m).', default: '5m', helpGroup: 'SESSION'}),
    press: Flags.string({summary: 'Sandbox only: what the called party presses, one entry per capture, comma-separated ("1,2#"; an empty entry is silence).', helpGroup: 'SESSION'}),
  }

  async run(): Promise<SendResult> {
    const {raw} = await this.parse(SendCallflow)
    // With --wait, Ctrl-C stops the waiting (the menu's webhook is put back, the session named); a second one exits at once.
    const interrupt = this.flags.wait ? this.onInterrupt(() => interrupted()) : undefined
    try {
      const {result, exit} = await (interrupt?.race ?? ((step) => step))(new CallflowSender({
        output: this.output, colors: this.colors, errColors: this.errColors, paths: this.paths,
        api: () => this.api(), credentials: () => this.credentials(), stdin: process.stdin, pid: process.pid, signal: interrupt?.signal,
      }, this.flags, {file: this.args.file, steps: quickStepsFrom(raw)}).run())
      if (exit) this.exitWithResult(result, exit.code, exit.message)
      return result
    } finally {
      interrupt?.dispose()
    }
  }
}
