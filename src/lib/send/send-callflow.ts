/**
 * `ivr send-callflow`: build the request (file, quick flags or menu), check it, send it once, and
 * with --wait follow the session to its end. The command parses flags and prints through `Output`.
 */
import type {Readable} from 'node:stream'

import {decisionRecorder, decisionsFileFor, DecisionLog} from '../analytics/decisions.js'
import type {VoiceApi} from '../api/client.js'
import {DEFAULT_BASE_URL} from '../api/defaults.js'
import type {SendCallflowResponse} from '../api/types.js'
import {cachedAccountFacts} from '../callflow/account-checks.js'
import {loadRequestText, readCallflowSource} from '../callflow/check-file.js'
import {locateProblems, type LoadedDocument} from '../callflow/load.js'
import {
  callflowsUrl, parseValidUntil, parseVars, quickRequest, varFlag, type CaptureOptions, type QuickStep, type RequestOverrides,
} from '../callflow/request.js'
import {formatProblem} from '../callflow/report.js'
import type {CallflowRequest} from '../callflow/types.js'
import {hasErrors, validateCallflow, type Problem} from '../callflow/validate.js'
import {lookupCode} from '../codes.js'
import {ExitCode, invalidInput, IvrError, usageError} from '../errors.js'
import {describeOutcome, menuStartRequest} from '../menu/answer.js'
import {loadMenuOrThrow} from '../menu/files.js'
import type {Menu} from '../menu/model.js'
import type {AnswerReport} from '../menu/server.js'
import type {Output} from '../output.js'
import {profileCacheFile} from '../profiles.js'
import type {Colors} from '../render/colors.js'
import {safeLine} from '../render/safe.js'
import {setPresses, type SandboxTarget} from '../sandbox/control.js'
import {chooseStore} from '../sessions/location.js'
import type {Credentials} from '../settings.js'
import {serveMenuAsVca} from './menu-vca.js'
import {destinationOf, parseWaitTimeout} from './options.js'
import {receiverFor, waitOnSandbox, waitOnStore} from './wait.js'

export type SendResult =
  | {dryRun: true; method: 'POST'; url: string; body: unknown; problems: Problem[]}
  | (SendCallflowResponse & {dryRun?: false; outcome?: WaitResult})

/** What --wait adds to the result: how the session ended. */
interface WaitResult {
  sessionStatus?: string
  summary?: unknown
  timeline?: unknown
}

/** The flags that are steps of a quick callflow, in the order typed. */
export const STEP_FLAGS: ReadonlySet<string> = new Set(['say', 'play', 'capture', 'hangup', 'voice'])
const QUICK_FLAGS = ['from', 'to', ...STEP_FLAGS, 'min-digits', 'max-digits', 'digit-timeout', 'overall-timeout', 'tries', 'complete-on-hash']

/** The flag values send-callflow reads (as oclif parsed them). */
export interface SendFlags {
  from?: string
  to?: string
  'min-digits'?: number
  'max-digits'?: number
  'digit-timeout'?: number
  'overall-timeout'?: number
  tries?: number
  'complete-on-hash'?: boolean
  var?: string[]
  'valid-until'?: string
  'client-request-id'?: string
  validate: boolean
  'dry-run'?: boolean
  menu?: string
  wait?: boolean
  timeout: string
  press?: string
  sandbox?: boolean
}

/** What the service needs from the command that runs it. */
export interface SendContext {
  output: Output
  /** Colours of stdout and of stderr. */
  colors: Colors
  errColors: Colors
  paths: {configDir: string; cacheDir: string; dataDir: string}
  api(): Promise<VoiceApi>
  credentials(): Promise<Credentials>
  stdin: Readable
  pid: number
  /** Aborted by Ctrl-C during --wait: stop waiting, clean up (the menu's webhook), say where the session is. */
  signal?: AbortSignal
}

/** What the command does with the result: return it, or end with an outcome exit code (the session was not COMPLETED). */
export interface SendOutcome {
  result: SendResult
  exit?: {code: number; message: string}
}

/** The quick steps from oclif's raw tokens, in the order they were typed. */
export function quickStepsFrom(raw: readonly {type: string; flag?: string; input: string}[]): QuickStep[] {
  const steps: QuickStep[] = []
  for (const t of raw) {
    if (t.type !== 'flag' || !t.flag || !STEP_FLAGS.has(t.flag)) continue
    if (t.flag === 'say') steps.push({kind: 'say', text: t.input})
    else if (t.flag === 'play') steps.push({kind: 'play', url: t.input})
    else if (t.flag === 'capture') steps.push({kind: 'capture', prompt: t.input})
    else if (t.flag === 'voice') steps.push({kind: 'voice', profile: t.input})
    else steps.push({kind: 'hangup'})
  }
  return steps
}

/** Ctrl-C during --wait: the call was created and goes on; the error names it (also under --json). */
export function stoppedWaiting(sessionId: string, sandbox: boolean, menu: boolean): IvrError {
  return new IvrError(`Stopped waiting (Ctrl-C): session ${safeLine(sessionId)} was created and goes on without this command${menu ? '; its menu is no longer answered' : ''}.`, {
    code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED,
    suggestions: [sandbox ? `See how it ends: ivr sandbox sessions ${safeLine(sessionId)} --wait` : `See how it ends, once its summary has arrived: ivr sessions show ${safeLine(sessionId)}`],
  })
}

/** The step, or `error()` as soon as `signal` aborts (at once if it already has). */
function untilAborted<R>(step: Promise<R>, signal: AbortSignal | undefined, error: () => IvrError): Promise<R> {
  if (!signal) return step
  return new Promise<R>((resolve, reject) => {
    const onAbort = () => reject(error())
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, {once: true})
    step.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

const describeAnswer = (r: AnswerReport) => `${r.from ?? 'start'} ${r.taken} ${describeOutcome(r.answer.resolution.outcome)}`
const given = (f: SendFlags, k: string) => (f as unknown as Record<string, unknown>)[k] !== undefined && (f as unknown as Record<string, unknown>)[k] !== false

export class CallflowSender {
  /** Where the callflow came from, to point problems at lines of the file. */
  private source?: {name: string; doc: LoadedDocument}

  constructor(private readonly ctx: SendContext, private readonly f: SendFlags, private readonly input: {file?: string; steps: QuickStep[]}) {}

  async run(): Promise<SendOutcome> {
    const {f, ctx} = this
    if (f.press !== undefined && !f.sandbox) throw usageError('--press scripts the sandbox\'s simulated callee; it needs --sandbox.', ['On a real call, the person who answers presses the keys.'])
    const timeoutMs = f.wait ? parseWaitTimeout(f.timeout) : 0
    const menu = f.menu === undefined ? undefined : (await loadMenuOrThrow(f.menu)).menu
    const body = menu ? this.menuRequest(menu) : await this.buildRequest()
    const problems = f.validate ? await this.check(body) : []
    if (f['dry-run']) return {result: await this.dryRun(body, problems)}
    // The in-process menu answers the call's webhooks only while this command runs: without --wait it would stop at CREATED and the call would fail.
    if (menu && f.sandbox && !f.wait) throw usageError('--menu with --sandbox answers the call from this command, so it must stay until the call ends: add --wait.', ['Or serve the menu for as long as you like with `ivr serve MENU --sandbox` in another terminal.'])
    const request = body as CallflowRequest
    const api = await ctx.api()
    const creds = await ctx.credentials()
    // The in-process menu keeps its decisions like `ivr serve` does (the sandbox sub-account's decision log).
    const log = menu && f.sandbox ? await DecisionLog.open(decisionsFileFor(ctx.paths.dataDir, creds.account), {onError: (m) => ctx.output.warn(m)}) : undefined
    const served = menu && f.sandbox ? await serveMenuAsVca(menu, {
      api, configDir: ctx.paths.configDir, account: creds.account, baseUrl: creds.baseUrl, pid: ctx.pid,
      onAnswer: (r) => ctx.output.status(ctx.errColors.dim(`  menu: ${describeAnswer(r)}`)), ...(log ? {record: decisionRecorder(log, f.menu)} : {}),
    }).catch(async (error: unknown) => {
      await log?.close()
      throw error
    }) : undefined
    try {
      if (f.press !== undefined) await setPresses(await this.sandboxTarget(), destinationOf(request), f.press.split(','), {once: true})
      if (ctx.signal?.aborted) throw new IvrError('Interrupted (Ctrl-C): nothing was sent.', {code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED})
      const res = await this.send(request)
      const {sessionId} = res
      if (!f.wait || !sessionId) return {result: res}
      const outcome = await untilAborted(this.waitFor(sessionId, timeoutMs), ctx.signal, () => stoppedWaiting(sessionId, Boolean(f.sandbox), Boolean(menu)))
      ctx.output.out(outcome.text)
      const result: SendResult = {...res, outcome: {sessionStatus: outcome.sessionStatus, summary: outcome.summary, timeline: outcome.timeline}}
      if (outcome.exitCode !== 0) return {result, exit: {code: outcome.exitCode, message: `The session ended ${outcome.sessionStatus ?? 'without a status'}, not COMPLETED.`}}
      return {result}
    } finally {
      const stopped = await served?.close()
      await log?.close()
      if (stopped?.restoreError) ctx.output.warn(`Could not put the VCA webhook back (${safeLine((stopped.restoreError as Error).message)}). Run \`ivr webhooks restore\`.`)
    }
  }

  /** The opening request of a menu: makeCall from --from to --to, then the entry node. */
  private menuRequest(menu: Menu): CallflowRequest {
    const {f} = this
    const steps = [...STEP_FLAGS].filter((k) => given(f, k))
    if (this.input.file !== undefined || steps.length > 0) throw usageError('--menu builds the callflow from the menu: give no FILE and no step flags (--say, --capture ...).')
    if (!f.from || !f.to) throw usageError('--menu needs --from (one of your virtual numbers) and --to (the number to call).')
    return menuStartRequest(menu, {
      from: f.from, to: f.to,
      ...(f['client-request-id'] ? {clientRequestId: f['client-request-id']} : {}),
      ...(f['valid-until'] ? {validUntil: parseValidUntil(f['valid-until'], new Date())} : {}),
    })
  }

  private async sandboxTarget(): Promise<SandboxTarget> {
    const c = await this.ctx.credentials()
    return {baseUrl: c.baseUrl, apiKey: c.apiKey, subAccountId: c.account}
  }

  /** The sandbox is asked directly; a real account's summary comes through the store `ivr sessions tail` fills. */
  private async waitFor(sessionId: string, timeoutMs: number) {
    const {ctx} = this
    if (this.f.sandbox) {
      ctx.output.status(ctx.errColors.dim(`Waiting for session ${sessionId} on the sandbox...`))
      return waitOnSandbox(await this.sandboxTarget(), sessionId, {timeoutMs, colors: ctx.colors})
    }
    const creds = await ctx.credentials()
    const {file} = await chooseStore({dataDir: ctx.paths.dataDir, account: creds.account})
    if (!(await receiverFor(file))) {
      ctx.output.warn('No `ivr sessions tail` is running for this account, so no session summary can reach this machine. Start one in another terminal (`ivr sessions tail --register --public-url URL`); waiting anyway.')
    }
    ctx.output.status(ctx.errColors.dim(`Waiting up to ${Math.round(timeoutMs / 1000)} s for the summary of ${sessionId} in ${file}...`))
    return waitOnStore(file, sessionId, {timeoutMs, colors: ctx.colors})
  }

  /** The request from the file (with --var) or from the quick flags, with --valid-until and --client-request-id. */
  private async buildRequest(): Promise<unknown> {
    const {f, ctx} = this
    const overrides: RequestOverrides = {
      validUntil: f['valid-until'] === undefined ? undefined : parseValidUntil(f['valid-until'], new Date()),
      clientRequestId: f['client-request-id'],
    }
    const quick = QUICK_FLAGS.filter((k) => given(f, k))
    if (this.input.file !== undefined) {
      if (quick.length > 0) throw usageError(`--${quick[0]} is for building a callflow without a file; give either FILE or the quick flags.`)
      const {name, text} = await readCallflowSource(this.input.file, ctx.stdin)
      const loaded = loadRequestText(text, name, {vars: parseVars(f.var ?? []), overrides})
      if (loaded.syntax.length > 0) this.refuse(loaded.syntax, name)
      const missing = loaded.missingVars
      if (missing.length > 0) {
        throw usageError(`${name} has placeholders without a value: ${missing.map((n) => `{{${n}}}`).join(', ')}.`, [`Give them with ${missing.map((n) => varFlag(n)).join(' ')}.`])
      }
      if (loaded.unusedVars.length > 0) ctx.output.warn(`--var ${loaded.unusedVars.join(', ')}: no placeholder in ${name} uses ${loaded.unusedVars.length === 1 ? 'it' : 'them'}.`)
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
    return quickRequest({from: f.from, to: f.to, steps: this.input.steps, capture}, overrides)
  }

  /** Validates (voices from the cached list); errors refuse the send, warnings go to stderr. */
  private async check(body: unknown): Promise<Problem[]> {
    const {ctx} = this
    let knownProfiles: ReadonlySet<string> | undefined
    try {
      const creds = await ctx.credentials()
      knownProfiles = (await cachedAccountFacts(profileCacheFile(ctx.paths.cacheDir, creds.account, creds.baseUrl))).knownProfiles
    } catch {
      // No account (a dry run can do without): voices are not checked.
    }
    // Before a real send the platform checks voices and the webhook itself: no "not checked" noise then.
    let problems = validateCallflow(body, {context: 'request', knownProfiles, warnUnchecked: Boolean(this.f['dry-run'])})
    if (this.source) problems = locateProblems(problems, this.source.doc)
    const name = this.source?.name ?? 'callflow'
    if (hasErrors(problems)) this.refuse(problems, name)
    for (const p of problems) ctx.output.warn(`${p.line === undefined ? '' : `${name}:${p.line}:${p.column ?? 1}  `}${p.path} ${safeLine(p.message)}${p.code === undefined ? '' : ` [${p.code}]`}${p.hint ? `\n  → ${safeLine(p.hint)}` : ''}`)
    return problems
  }

  private refuse(problems: Problem[], name: string): never {
    const errors = problems.filter((p) => p.severity === 'error')
    for (const p of errors) this.ctx.output.notice(formatProblem(p, name, this.ctx.errColors))
    throw invalidInput(`The callflow has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was sent.`, [
      'Fix them (`ivr codes CODE` explains a code), or add --no-validate to let the platform judge.',
    ], 'CALLFLOW_INVALID')
  }

  private async dryRun(body: unknown, problems: Problem[]): Promise<SendResult> {
    const {ctx} = this
    let url: string
    try {
      const api = await ctx.api()
      url = callflowsUrl(api.baseUrl, api.subAccountId)
    } catch {
      url = callflowsUrl(DEFAULT_BASE_URL, 'SUBACCOUNT')
      ctx.output.status(ctx.errColors.dim('(no account set up: SUBACCOUNT stands for your sub-account id)'))
    }
    ctx.output.out(`POST ${url}\ncontent-type: application/json\n\n${JSON.stringify(body, null, 2)}`)
    ctx.output.status(ctx.errColors.dim('Dry run: nothing was sent.'))
    return {dryRun: true, method: 'POST', url, body, problems}
  }

  private async send(body: CallflowRequest): Promise<SendCallflowResponse> {
    const api = await this.ctx.api()
    const res = await api.sendCallflow(body)
    if (res.sessionStatus !== 'CREATED') {
      // A NOT_CREATED that came back as 200: the same exit as one that came back as 400.
      const info = lookupCode(res.statusCode)
      throw invalidInput(`The platform did not create the session: ${res.statusCode ?? ''} ${safeLine(res.statusMessage ?? res.sessionStatus)}.${info ? ` ${info.explanation}` : ''}`.replace(':  ', ': '), [], 'NOT_CREATED')
    }
    const c = this.ctx.colors
    this.ctx.output.out([
      `${c.green('✔')} Session ${c.bold(safeLine(res.sessionId))} ${safeLine(res.sessionStatus)}`,
      `  request id  ${safeLine(res.callFlowRequestId ?? '-')}`,
      ...(res.validUntil ? [`  valid until ${safeLine(res.validUntil)}`] : []),
    ].join('\n'))
    return res
  }
}
