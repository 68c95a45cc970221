import {Args, Flags} from '@oclif/core'

import {DEFAULT_BASE_URL} from '../lib/api/defaults.js'
import type {SendCallflowResponse} from '../lib/api/types.js'
import {IvrCommand} from '../lib/base-command.js'
import {cachedAccountFacts} from '../lib/callflow/account-checks.js'
import {loadRequestText, readCallflowSource} from '../lib/callflow/check-file.js'
import {locateProblems, type LoadedDocument} from '../lib/callflow/load.js'
import {
  callflowsUrl, parseValidUntil, parseVars, quickRequest, varFlag, type CaptureOptions, type QuickStep, type RequestOverrides,
} from '../lib/callflow/request.js'
import {formatProblem} from '../lib/callflow/report.js'
import {CAPTURE_DEFAULTS as D, DEFAULT_VOICE_PROFILE, LIMITS, type CallflowRequest} from '../lib/callflow/types.js'
import {hasErrors, validateCallflow, type Problem} from '../lib/callflow/validate.js'
import {lookupCode} from '../lib/codes.js'
import {invalidInput, usageError} from '../lib/errors.js'
import {profileCacheFile} from '../lib/profiles.js'
import {safeLine} from '../lib/render/safe.js'
import {decisionRecorder, decisionsFileFor, DecisionLog} from '../lib/analytics/decisions.js'
import {describeOutcome, menuStartRequest} from '../lib/menu/answer.js'
import {loadMenuOrThrow} from '../lib/menu/files.js'
import type {Menu} from '../lib/menu/model.js'
import type {AnswerReport} from '../lib/menu/server.js'
import {setPresses, type SandboxTarget} from '../lib/sandbox/control.js'
import {serveMenuAsVca} from '../lib/send/menu-vca.js'
import {destinationOf, parseWaitTimeout} from '../lib/send/options.js'
import {receiverFor, waitOnSandbox, waitOnStore} from '../lib/send/wait.js'
import {chooseStore} from '../lib/sessions/location.js'

const describeAnswer = (r: AnswerReport) => `${r.from ?? 'start'} ${r.taken} ${describeOutcome(r.answer.resolution.outcome)}`

export type SendResult =
  | {dryRun: true; method: 'POST'; url: string; body: unknown; problems: Problem[]}
  | (SendCallflowResponse & {dryRun?: false; outcome?: WaitResult})

/** What --wait adds to the result: how the session ended. */
interface WaitResult {
  sessionStatus?: string
  summary?: unknown
  timeline?: unknown
}

const STEP_FLAGS = new Set(['say', 'play', 'capture', 'hangup', 'voice'])
const QUICK_FLAGS = ['from', 'to', ...STEP_FLAGS, 'min-digits', 'max-digits', 'digit-timeout', 'overall-timeout', 'tries', 'complete-on-hash']

export default class SendCallflow extends IvrCommand<typeof SendCallflow> {
  static override summary = 'Start a call: send a callflow from a file, stdin, or quick flags.'
  static override description = `The callflow is checked locally first (the same checks as \`ivr callflow validate\`) and refused with exit 4 when it has errors, unless --no-validate. A NOT_CREATED answer from the platform also exits 4, with its code, message and what the code means.

Quick flags build the callflow without a file: makeCall from --from to --to, then --say, --play, --capture and --hangup in the order given. --voice sets the voice of the spoken steps after it (before the first --voice: the first one given; none at all: ${DEFAULT_VOICE_PROFILE}). A capture takes the defaults shown below unless told otherwise.`
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

  /** Where the callflow came from, to point problems at lines of the file. */
  private source?: {name: string; doc: LoadedDocument}

  async run(): Promise<SendResult> {
    const f = this.flags
    if (f.press !== undefined && !f.sandbox) throw usageError('--press scripts the sandbox\'s simulated callee; it needs --sandbox.', ['On a real call, the person who answers presses the keys.'])
    const timeoutMs = f.wait ? parseWaitTimeout(f.timeout) : 0
    const menu = f.menu === undefined ? undefined : (await loadMenuOrThrow(f.menu)).menu
    const body = menu ? this.menuRequest(menu) : await this.buildRequest()
    const problems = f.validate ? await this.check(body) : []
    if (f['dry-run']) return this.dryRun(body, problems)
    // The in-process menu answers the call's webhooks only while this command runs: without --wait it would stop at CREATED and the call would fail.
    if (menu && f.sandbox && !f.wait) throw usageError('--menu with --sandbox answers the call from this command, so it must stay until the call ends: add --wait.', ['Or serve the menu for as long as you like with `ivr serve MENU --sandbox` in another terminal.'])
    const request = body as CallflowRequest
    const api = await this.api()
    const creds = await this.credentials()
    // The in-process menu keeps its decisions like `ivr serve` does (the sandbox sub-account's decision log).
    const log = menu && f.sandbox ? await DecisionLog.open(decisionsFileFor(this.paths.dataDir, creds.account), {onError: (m) => this.warnUser(m)}) : undefined
    const served = menu && f.sandbox ? await serveMenuAsVca(menu, {
      api, configDir: this.paths.configDir, account: creds.account, baseUrl: creds.baseUrl, pid: process.pid,
      onAnswer: (r) => this.status(this.errColors.dim(`  menu: ${describeAnswer(r)}`)), ...(log ? {record: decisionRecorder(log, f.menu)} : {}),
    }).catch(async (error: unknown) => {
      await log?.close()
      throw error
    }) : undefined
    try {
      if (f.press !== undefined) await setPresses(await this.sandboxTarget(), destinationOf(request), f.press.split(','), {once: true})
      const res = await this.send(request)
      if (!f.wait || !res.sessionId) return res
      const outcome = await this.waitFor(res.sessionId, timeoutMs)
      this.out(outcome.text)
      const result: SendResult = {...res, outcome: {sessionStatus: outcome.sessionStatus, summary: outcome.summary, timeline: outcome.timeline}}
      if (outcome.exitCode !== 0) this.exitWithResult(result, outcome.exitCode, `The session ended ${outcome.sessionStatus ?? 'without a status'}, not COMPLETED.`)
      return result
    } finally {
      const stopped = await served?.close()
      await log?.close()
      if (stopped?.restoreError) this.warnUser(`Could not put the VCA webhook back (${safeLine((stopped.restoreError as Error).message)}). Run \`ivr webhooks restore\`.`)
    }
  }

  /** The opening request of a menu: makeCall from --from to --to, then the entry node. */
  private menuRequest(menu: Menu): CallflowRequest {
    const f = this.flags
    const steps = [...STEP_FLAGS].filter((k) => (f as Record<string, unknown>)[k] !== undefined && (f as Record<string, unknown>)[k] !== false)
    if (this.args.file !== undefined || steps.length > 0) throw usageError('--menu builds the callflow from the menu: give no FILE and no step flags (--say, --capture ...).')
    if (!f.from || !f.to) throw usageError('--menu needs --from (one of your virtual numbers) and --to (the number to call).')
    return menuStartRequest(menu, {
      from: f.from, to: f.to,
      ...(f['client-request-id'] ? {clientRequestId: f['client-request-id']} : {}),
      ...(f['valid-until'] ? {validUntil: parseValidUntil(f['valid-until'], new Date())} : {}),
    })
  }

  private async sandboxTarget(): Promise<SandboxTarget> {
    const c = await this.credentials()
    return {baseUrl: c.baseUrl, apiKey: c.apiKey, subAccountId: c.account}
  }

  /** The sandbox is asked directly; a real account's summary comes through the store `ivr sessions tail` fills. */
  private async waitFor(sessionId: string, timeoutMs: number) {
    if (this.flags.sandbox) {
      this.status(this.errColors.dim(`Waiting for session ${sessionId} on the sandbox...`))
      return waitOnSandbox(await this.sandboxTarget(), sessionId, {timeoutMs, colors: this.colors})
    }
    const creds = await this.credentials()
    const {file} = await chooseStore({dataDir: this.paths.dataDir, account: creds.account})
    if (!(await receiverFor(file))) {
      this.warnUser('No `ivr sessions tail` is running for this account, so no session summary can reach this machine. Start one in another terminal (`ivr sessions tail --register --public-url URL`); waiting anyway.')
    }
    this.status(this.errColors.dim(`Waiting up to ${Math.round(timeoutMs / 1000)} s for the summary of ${sessionId} in ${file}...`))
    return waitOnStore(file, sessionId, {timeoutMs, colors: this.colors})
  }

  /** The request from the file (with --var) or from the quick flags, with --valid-until and --client-request-id. */
  protected async buildRequest(): Promise<unknown> {
    const f = this.flags
    const overrides: RequestOverrides = {
      validUntil: f['valid-until'] === undefined ? undefined : parseValidUntil(f['valid-until'], new Date()),
      clientRequestId: f['client-request-id'],
    }
    const quick = QUICK_FLAGS.filter((k) => (f as Record<string, unknown>)[k] !== undefined && (f as Record<string, unknown>)[k] !== false)
    if (this.args.file !== undefined) {
      if (quick.length > 0) throw usageError(`--${quick[0]} is for building a callflow without a file; give either FILE or the quick flags.`)
      const {name, text} = await readCallflowSource(this.args.file, process.stdin)
      const loaded = loadRequestText(text, name, {vars: parseVars(f.var ?? []), overrides})
      if (loaded.syntax.length > 0) this.refuse(loaded.syntax, name)
      const missing = loaded.missingVars
      if (missing.length > 0) {
        throw usageError(`${name} has placeholders without a value: ${missing.map((n) => `{{${n}}}`).join(', ')}.`, [`Give them with ${missing.map((n) => varFlag(n)).join(' ')}.`])
      }
      if (loaded.unusedVars.length > 0) this.warnUser(`--var ${loaded.unusedVars.join(', ')}: no placeholder in ${name} uses ${loaded.unusedVars.length === 1 ? 'it' : 'them'}.`)
      this.source = {name, doc: loaded.doc}
      return loaded.body
    }
    if (f.var) throw usageError('--var fills placeholders in a file; with quick flags, write the values directly.')
    if (!f.from || !f.to) {
      throw usageError('Give a callflow file, or --from and --to with the steps of the call.', [
        'ivr send-callflow flow.json',
        'ivr send-callflow --from +6531591234 --to +6591234567 --say "Hello" --hangup',
      ])
    }
    const capture: CaptureOptions = {
      minDigits: f['min-digits'], maxDigits: f['max-digits'], digitTimeout: f['digit-timeout'], overallTimeout: f['overall-timeout'],
      noOfTries: f.tries, completeOnHash: f['complete-on-hash'] ? true : undefined,
    }
    return quickRequest({from: f.from, to: f.to, steps: await this.quickSteps(), capture}, overrides)
  }

  /** The step flags in the order they were typed (oclif keeps the raw tokens in order). */
  private async quickSteps(): Promise<QuickStep[]> {
    const {raw} = await this.parse(SendCallflow)
    const steps: QuickStep[] = []
    for (const t of raw) {
      if (t.type !== 'flag' || !STEP_FLAGS.has(t.flag)) continue
      if (t.flag === 'say') steps.push({kind: 'say', text: t.input})
      else if (t.flag === 'play') steps.push({kind: 'play', url: t.input})
      else if (t.flag === 'capture') steps.push({kind: 'capture', prompt: t.input})
      else if (t.flag === 'voice') steps.push({kind: 'voice', profile: t.input})
      else steps.push({kind: 'hangup'})
    }
    return steps
  }

  /** Validates (voices from the cached list); errors refuse the send, warnings go to stderr. */
  protected async check(body: unknown): Promise<Problem[]> {
    let knownProfiles: ReadonlySet<string> | undefined
    try {
      const creds = await this.credentials()
      knownProfiles = (await cachedAccountFacts(profileCacheFile(this.paths.cacheDir, creds.account, creds.baseUrl))).knownProfiles
    } catch {
      // No account (a dry run can do without): voices are not checked.
    }
    // Before a real send the platform checks voices and the webhook itself: no "not checked" noise then.
    let problems = validateCallflow(body, {context: 'request', knownProfiles, warnUnchecked: Boolean(this.flags['dry-run'])})
    if (this.source) problems = locateProblems(problems, this.source.doc)
    const name = this.source?.name ?? 'callflow'
    if (hasErrors(problems)) this.refuse(problems, name)
    for (const p of problems) this.warnUser(`${p.line === undefined ? '' : `${name}:${p.line}:${p.column ?? 1}  `}${p.path} ${safeLine(p.message)}${p.code === undefined ? '' : ` [${p.code}]`}${p.hint ? `\n  → ${safeLine(p.hint)}` : ''}`)
    return problems
  }

  private refuse(problems: Problem[], name: string): never {
    const errors = problems.filter((p) => p.severity === 'error')
    for (const p of errors) process.stderr.write(`${formatProblem(p, name, this.errColors)}\n`)
    throw invalidInput(`The callflow has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was sent.`, [
      'Fix them (`ivr codes CODE` explains a code), or add --no-validate to let the platform judge.',
    ], 'CALLFLOW_INVALID')
  }

  private async dryRun(body: unknown, problems: Problem[]): Promise<SendResult> {
    let url: string
    try {
      const api = await this.api()
      url = callflowsUrl(api.baseUrl, api.subAccountId)
    } catch {
      url = callflowsUrl(DEFAULT_BASE_URL, 'SUBACCOUNT')
      this.status(this.errColors.dim('(no account set up: SUBACCOUNT stands for your sub-account id)'))
    }
    this.out(`POST ${url}\ncontent-type: application/json\n\n${JSON.stringify(body, null, 2)}`)
    this.status(this.errColors.dim('Dry run: nothing was sent.'))
    return {dryRun: true, method: 'POST', url, body, problems}
  }

  protected async send(body: CallflowRequest): Promise<SendCallflowResponse> {
    const api = await this.api()
    const res = await api.sendCallflow(body)
    if (res.sessionStatus !== 'CREATED') {
      // A NOT_CREATED that came back as 200: the same exit as one that came back as 400.
      const info = lookupCode(res.statusCode)
      throw invalidInput(`The platform did not create the session: ${res.statusCode ?? ''} ${safeLine(res.statusMessage ?? res.sessionStatus)}.${info ? ` ${info.explanation}` : ''}`.replace(':  ', ': '), [], 'NOT_CREATED')
    }
    const c = this.colors
    this.out([
      `${c.green('✔')} Session ${c.bold(safeLine(res.sessionId))} ${safeLine(res.sessionStatus)}`,
      `  request id  ${safeLine(res.callFlowRequestId ?? '-')}`,
      ...(res.validUntil ? [`  valid until ${safeLine(res.validUntil)}`] : []),
    ].join('\n'))
    return res
  }
}
