import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import type {VoiceApi} from '../lib/api/client.js'
import {AccountStore, type AccountsFile} from '../lib/accounts/store.js'
import {ExitCode, IvrError, usageError} from '../lib/errors.js'
import type {Output} from '../lib/output.js'
import {makeColors, type Colors} from '../lib/render/colors.js'
import {errorEnvelope, errorText} from '../lib/render/error.js'
import {redactSecrets} from '../lib/render/redact.js'
import {safeText} from '../lib/render/safe.js'
import type {SandboxHandle} from '../lib/sandbox/connect.js'
import type {SandboxOptions} from '../lib/sandbox/server.js'
import {checkBaseUrl, databaseSetting, resolveCredentials, secondsSetting, type Credentials, type IvrEnv} from '../lib/settings.js'

/**
 * oclif's wording for two flags that exclude each other ("The following error occurred: --json=true
 * cannot also be provided when using --csv"), said our way; undefined for any other message.
 */
export function exclusiveFlagsMessage(message: string): string | undefined {
  const pairs = [...message.matchAll(/--([\w-]+)(?:=\S*)? cannot also be provided when using --([\w-]+)/g)].map((m) => [m[2], m[1]].sort().join(' and --'))
  if (pairs.length === 0) return undefined
  return [...new Set(pairs)].map((p) => `--${p} cannot be used together: choose one.`).join(' ')
}

/**
 * oclif's parse errors said our way: flags that exclude each other, required flags missing ("The
 * following error occurred:\n  Missing required flag to" names the flag without its dashes), and the
 * rest with oclif's framing removed. `summaryOf` gives a flag's one-line summary, to say what it is for.
 */
export function parseErrorMessage(message: string, summaryOf: (flag: string) => string | undefined = () => undefined): string {
  const exclusive = exclusiveFlagsMessage(message)
  if (exclusive) return exclusive
  const missing = [...message.matchAll(/Missing required flag:?\s+-*([\w-]+)/g)].map((m) => m[1])
  if (missing.length > 0) {
    return missing.map((flag) => {
      const summary = summaryOf(flag)?.replace(/\.$/, '')
      const said = summary && /^[A-Z][a-z]/.test(summary) ? summary[0].toLowerCase() + summary.slice(1) : summary
      return `--${flag} is required${said ? `: ${said}` : ''}.`
    }).join(' ')
  }
  return message.replace(/^The following errors? occurred:\s*/, '').replace(/^Parsing (--[\w-]+)\s*\n\s*/, '$1: ').replace(/\n\s*See more help with --help$/, '')
}

const debugFlag = Flags.boolean({summary: 'Trace HTTP requests on stderr (secrets masked).', helpGroup: 'GLOBAL'})

/**
 * The global flags of a command that reads no account, calls no API and starts no sandbox client
 * (`codes`, `accounts use`, `sandbox start`...): --debug alone. --account, --base-url and --sandbox
 * are offered only where they change something.
 */
export const localBaseFlags = {debug: debugFlag}

const globalFlags = {
  // No `env:` here: IVR_ACCOUNT and IVR_BASE_URL are read with the other settings, so a flag's value is only ever the flag's.
  account: Flags.string({char: 'a', summary: 'Sub-account id to use (default: IVR_ACCOUNT, else the stored default).', helpGroup: 'GLOBAL'}),
  'base-url': Flags.string({summary: 'API base URL (default: IVR_BASE_URL, else the account\'s, else https://voice.8x8.com).', helpGroup: 'GLOBAL'}),
  debug: debugFlag,
  sandbox: Flags.boolean({summary: 'Use the local sandbox (the running one, or one started for this command).', env: 'IVR_SANDBOX', helpGroup: 'GLOBAL'}),
}

/**
 * The global flags of a command that reads local files of a sub-account (which --account or
 * --sandbox choose) and calls no API: no --base-url.
 */
export const localAccountBaseFlags = {
  account: globalFlags.account, debug: debugFlag,
  sandbox: Flags.boolean({summary: "Read the sandbox sub-account's files (what --sandbox commands stored); no sandbox needs to run.", env: 'IVR_SANDBOX', helpGroup: 'GLOBAL'}),
}

/** --utc, for the commands that list times (README, "Times"). */
export const utcFlag = {
  utc: Flags.boolean({summary: 'Times in UTC, ISO 8601 (default: local time, YYYY-MM-DD HH:MM:SS).'}),
}

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof IvrCommand)['baseFlags'] & T['flags']>
/** See IvrCommand.onInterrupt. */
export interface Interruptible {
  signal: AbortSignal
  /** The step, or the command's end on a second Ctrl-C, whichever comes first. */
  race<R>(step: Promise<R>): Promise<R>
  dispose(): void
}

export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** Folders the tool keeps its files in; each overridable by env for tests and CI. */
export interface Paths {
  configDir: string
  cacheDir: string
  dataDir: string
}

/**
 * The base of every command: shared flags, settings resolved once (flag > env > stored),
 * the API client, output helpers, and the mapping of every failure onto a documented exit code.
 */
export abstract class IvrCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  /** Global flags; a command that does not use the account ones narrows them to localBaseFlags. */
  static override baseFlags: Partial<typeof globalFlags> & typeof localBaseFlags = globalFlags

  /**
   * The command makes a change meant to outlive it (a webhook, a push config). Under --sandbox with
   * no sandbox running, such a change would go to one started for this command and vanish with it:
   * the command refuses instead.
   */
  static changesState = false

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  protected paths!: Paths
  protected env!: IvrEnv
  /** Colours for stdout (off without a TTY, with NO_COLOR, or under --json). */
  protected colors!: Colors
  /** Colours for stderr. */
  protected errColors!: Colors

  /** The base flags, readable before (and whatever) the command's own flags are. */
  private get baseFlagValues(): {debug?: boolean} {
    return (this.flags ?? {}) as {debug?: boolean}
  }

  private sandboxHandle?: SandboxHandle
  private apiClient?: VoiceApi
  private creds?: Credentials

  public override async init(): Promise<void> {
    await super.init()
    const env = process.env
    this.env = {
      IVR_ACCOUNT: env.IVR_ACCOUNT, IVR_API_KEY: env.IVR_API_KEY, IVR_BASE_URL: env.IVR_BASE_URL,
      IVR_TIMEOUT: env.IVR_TIMEOUT, IVR_CONNECT_TIMEOUT: env.IVR_CONNECT_TIMEOUT, IVR_RETRY_WAIT: env.IVR_RETRY_WAIT, IVR_WEBHOOK_AUTH: env.IVR_WEBHOOK_AUTH || undefined,
      IVR_DATABASE_URL: env.IVR_DATABASE_URL,
    }
    this.paths = {
      configDir: env.IVR_CONFIG_DIR || this.config.configDir,
      cacheDir: env.IVR_CACHE_DIR || this.config.cacheDir,
      dataDir: env.IVR_DATA_DIR || this.config.dataDir,
    }
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
    const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
    this.colors = makeColors(!this.jsonEnabled() && !noColor && (forced || Boolean(process.stdout.isTTY)))
    this.errColors = makeColors(!noColor && (forced || Boolean(process.stderr.isTTY)))
    const ctor = this.ctor as unknown as typeof IvrCommand
    const {args, flags} = await this.parse({
      flags: ctor.flags, baseFlags: ctor.baseFlags, enableJsonFlag: ctor.enableJsonFlag, args: ctor.args, strict: ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
  }

  // ---- output ---------------------------------------------------------------------------------

  /** Data, on stdout; silent under --json (the returned value is the data there). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** Status and progress, on stderr; silent under --json. */
  protected status(text: string): void {
    if (!this.jsonEnabled()) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** A warning, on stderr, always (also under --json: stdout stays pure JSON). */
  protected warnUser(text: string): void {
    process.stderr.write(`${this.errColors.yellow('Warning:')} ${text}\n`)
  }

  /** Text the operator must see as it is, on stderr, always (also under --json). */
  protected notice(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** The four output channels, for the services a command delegates to. */
  protected get output(): Output {
    return {out: (t) => this.out(t), status: (t) => this.status(t), warn: (t) => this.warnUser(t), notice: (t) => this.notice(t)}
  }

  /** The terminal's width, for tables that must fit it (undefined when stdout is not a terminal: nothing is cut). */
  protected get tableWidth(): number | undefined {
    return process.stdout.isTTY && !this.jsonEnabled() ? process.stdout.columns || 80 : undefined
  }

  protected get isInteractive(): boolean {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI
  }

  // ---- settings, credentials, client ----------------------------------------------------------

  protected accountStore(): AccountStore {
    return new AccountStore(this.paths.configDir)
  }

  private warnedOpenCredentials = false

  /**
   * The stored accounts, for every command that reads them: a credentials file others can read is
   * warned about here, once, whichever command it is (writes set it back to 0600).
   */
  protected async storedAccounts(store = this.accountStore()): Promise<AccountsFile> {
    const data = await store.read()
    if (!this.warnedOpenCredentials && (await store.isReadableByOthers())) {
      this.warnedOpenCredentials = true
      this.warnUser(`${store.file} is readable by other users; run: chmod 600 "${store.file}" (the next login or accounts change also fixes it)`)
    }
    return data
  }

  protected debugLog = (line: string): void => {
    process.stderr.write(`${this.errColors.dim('[debug]')} ${safeText(line)}\n`)
  }

  /** The credentials in force: the sandbox's under --sandbox, else flag > env > stored default. */
  protected async credentials(): Promise<Credentials> {
    if (this.creds) return this.creds
    const flags = this.flags as unknown as {account?: string; 'base-url'?: string; sandbox?: boolean}
    if (flags.sandbox) {
      const sb = await this.sandbox()
      this.creds = {account: flags.account ?? sb.subAccountId, apiKey: sb.apiKey, baseUrl: sb.baseUrl, source: flags.account ? 'flag' : 'sandbox', sources: {account: flags.account ? 'flag' : 'sandbox', apiKey: 'sandbox', baseUrl: 'sandbox'}}
      return this.creds
    }
    const stored = await this.storedAccounts()
    this.creds = resolveCredentials({flagAccount: flags.account, flagBaseUrl: flags['base-url'], env: this.env, stored})
    return this.creds
  }

  /**
   * The sub-account whose local files (session store, decision log) a command reads, without needing
   * its API key: --account, IVR_ACCOUNT, the sandbox's under --sandbox (or the full credentials'
   * when `withCredentials`), else the stored default; undefined when none.
   */
  /** The PostgreSQL URL campaigns live in (--db, else IVR_DATABASE_URL), warning when argv shows its password; undefined: the data folder. */
  protected databaseUrl(): string | undefined {
    const db = databaseSetting((this.flags as {db?: string}).db, this.env)
    if (db?.passwordInArgv) this.warnUser('--db carries a password, which other users of this machine can read in the process list: prefer IVR_DATABASE_URL (or PGPASSWORD, or ~/.pgpass).')
    return db?.url
  }

  protected async accountInForce(withCredentials = false): Promise<string | undefined> {
    const flags = this.flags as unknown as {account?: string; sandbox?: boolean}
    if (flags.account ?? this.env.IVR_ACCOUNT) return flags.account ?? this.env.IVR_ACCOUNT
    if (flags.sandbox || withCredentials) return (await this.credentials()).account
    return (await this.storedAccounts()).default
  }

  /**
   * Voice profile codes from the cached list of the account in force, for offline checks; undefined
   * when there is no account or no fresh cache (the checks then say voices were not checked).
   */
  protected async cachedVoiceProfiles(): Promise<ReadonlySet<string> | undefined> {
    try {
      const creds = await this.credentials()
      const {profileCacheFile, readCachedProfiles} = await import('../lib/profiles.js')
      const cached = await readCachedProfiles(profileCacheFile(this.paths.cacheDir, creds.account, creds.baseUrl))
      return cached ? new Set(cached.profiles.map((p) => p.speechProfileCode)) : undefined
    } catch {
      return undefined
    }
  }

  /**
   * Starts (or finds) the local sandbox; closed again when the command ends if we started it.
   * `inProcess`: options for one started here (population, cps, maxCalls...); call this before credentials() to use them.
   */
  protected async sandbox(inProcess?: SandboxOptions): Promise<SandboxHandle> {
    if (this.sandboxHandle) return this.sandboxHandle
    const {connectSandbox} = await import('../lib/sandbox/connect.js')
    const handle = await connectSandbox({dataDir: this.paths.dataDir, debug: this.baseFlagValues.debug ? this.debugLog : undefined, inProcess})
    if (handle.inProcess && (this.constructor as typeof IvrCommand).changesState) {
      await handle.close()
      throw usageError(`No sandbox is running: \`${this.id ?? 'this command'}\` would make its change in a sandbox started just for this command, and the change would be gone when it ends.`, [
        'Start one in another terminal with `ivr sandbox start`, then run this again.',
      ])
    }
    this.sandboxHandle = handle
    return this.sandboxHandle
  }

  /** The API client for the credentials in force (imported lazily: startup stays fast). */
  protected async api(): Promise<VoiceApi> {
    if (this.apiClient) return this.apiClient
    const creds = await this.credentials()
    return this.apiClientFor(creds)
  }

  protected async apiClientFor(creds: {account: string; apiKey: string; baseUrl: string}): Promise<VoiceApi> {
    const {VoiceApi, DEFAULT_RETRY_BACKOFF_MS} = await import('../lib/api/client.js')
    const env = process.env
    this.apiClient = new VoiceApi({
      baseUrl: checkBaseUrl(creds.baseUrl),
      apiKey: creds.apiKey,
      subAccountId: creds.account,
      userAgent: `ivr/${this.config.version} node/${process.versions.node}`,
      timeoutMs: secondsSetting('IVR_TIMEOUT', this.env.IVR_TIMEOUT, 30) * 1000,
      connectTimeoutMs: secondsSetting('IVR_CONNECT_TIMEOUT', this.env.IVR_CONNECT_TIMEOUT, 10) * 1000,
      retryBackoffMs: secondsSetting('IVR_RETRY_WAIT', this.env.IVR_RETRY_WAIT, DEFAULT_RETRY_BACKOFF_MS / 1000) * 1000,
      proxy: {
        httpsProxy: env.HTTPS_PROXY || env.https_proxy,
        httpProxy: env.HTTP_PROXY || env.http_proxy,
        noProxy: env.NO_PROXY || env.no_proxy,
      },
      debug: this.baseFlagValues.debug ? this.debugLog : undefined,
    })
    return this.apiClient
  }

  // ---- long-running commands ------------------------------------------------------------------

  /**
   * For commands that serve until stopped: `stopped` resolves on Ctrl-C, SIGTERM, or a closed stdout
   * (`| head`); cancel() removes the listeners. A second Ctrl-C while finishing up exits at once.
   */
  /** The "second Ctrl-C exits at once" listener waitForStop installs while finishing up. */
  private secondInterrupt?: () => void

  protected waitForStop(): {stopped: Promise<string>; cancel(): void} {
    let settle!: (reason: string) => void
    const stopped = new Promise<string>((resolve) => (settle = resolve))
    const onInt = () => done('Ctrl-C')
    const onTerm = () => done('SIGTERM')
    const onPipe = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') done('EPIPE')
    }
    const cancel = () => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      process.stdout.off('error', onPipe)
    }
    let settled = false
    const done = (reason: string) => {
      if (settled) return
      settled = true
      cancel()
      // Later writes to a closed stdout must not throw.
      process.stdout.on('error', () => {})
      // A second Ctrl-C while finishing up means: stop now. Removed when the command ends (finally),
      // so it never outlives the command in a process that runs more than one.
      const again = () => process.exit(130)
      this.secondInterrupt = again
      process.once('SIGINT', again)
      settle(reason)
    }
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
    process.stdout.on('error', onPipe)
    return {stopped, cancel}
  }

  /**
   * Ctrl-C during a long step: the first one aborts `signal` (the flow then cancels or leaves what it
   * started, and says so); a second one, when the first is stuck, makes race() reject with `left()`
   * (exit 130), so the command ends through the normal error path and its `finally` still runs.
   * dispose() removes the listener.
   */
  protected onInterrupt(left: () => IvrError): Interruptible {
    const controller = new AbortController()
    let count = 0
    let leave!: (error: IvrError) => void
    const gone = new Promise<never>((_resolve, reject) => (leave = reject))
    gone.catch(() => {}) // Raced where it matters; a second Ctrl-C between races is not an unhandled rejection.
    const handler = () => {
      count++
      if (count === 1) controller.abort()
      else leave(left())
    }
    process.on('SIGINT', handler)
    return {signal: controller.signal, race: (step) => Promise.race([step, gone]), dispose: () => process.off('SIGINT', handler)}
  }

  // ---- errors ---------------------------------------------------------------------------------

  /**
   * Ends the command with a non-zero exit code that is an outcome, not a failure (a session that was
   * BUSY): the result is still printed under --json, and the message goes to stderr otherwise.
   */
  protected exitWithResult(result: unknown, exitCode: number, message: string): never {
    if (this.jsonEnabled()) this.logJson(result)
    else process.stderr.write(`${message}\n`)
    throw new Errors.ExitError(exitCode)
  }

  /** Turns anything thrown into an IvrError with a documented exit code. */
  protected toIvrError(err: unknown): IvrError {
    if (err instanceof IvrError) return err
    const e = err as {name?: string; message?: unknown; code?: string; oclif?: {exit?: number}} | undefined
    if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError' || e?.message === 'SIGINT') {
      return new IvrError('Interrupted.', {code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED})
    }
    // oclif's own parse errors, and a flag value its parser refused (an integer out of range...), which
    // oclif marks with our usage exit code (package.json oclif.exitCodes.failedFlagParsing).
    if ((e instanceof Errors.CLIError && 'parse' in e) || (e?.oclif?.exit === ExitCode.USAGE && typeof e.message === 'string')) {
      const flags = (this.ctor as {flags?: Record<string, {summary?: string}>}).flags ?? {}
      const message = parseErrorMessage(String(e.message), (flag) => flags[flag]?.summary)
      return usageError(message, [`See \`ivr ${this.id?.replaceAll(':', ' ') ?? ''} --help\`.`])
    }
    if (e?.code === 'EPIPE') return new IvrError('Output closed.', {code: 'EPIPE', exitCode: ExitCode.OK})
    return new IvrError(`Unexpected error: ${safeText(e?.message ?? String(e))}`, {
      code: 'UNEXPECTED', exitCode: ExitCode.UNEXPECTED, cause: err,
      suggestions: ['Run again with --debug for details, and report it if it persists.'],
    })
  }

  public override async catch(err: Error & {exitCode?: number}): Promise<never> {
    if (err instanceof Errors.ExitError) throw err
    const e = this.toIvrError(err)
    if (e.code === 'EPIPE') throw new Errors.ExitError(0)
    if (this.jsonEnabled()) process.stdout.write(errorEnvelope(e))
    else {
      const c = this.errColors
      let text = errorText(e, c)
      const stack = (e.cause as Error | undefined)?.stack
      if (this.baseFlagValues.debug && e.exitCode === ExitCode.UNEXPECTED && stack) {
        text += c.dim(String(redactSecrets(stack))) + '\n'
      }
      process.stderr.write(text)
    }
    throw new Errors.ExitError(e.exitCode)
  }

  public override async finally(err: Error | undefined): Promise<unknown> {
    if (this.secondInterrupt) {
      process.off('SIGINT', this.secondInterrupt)
      this.secondInterrupt = undefined
    }
    if (this.sandboxHandle) {
      await this.sandboxHandle.close().catch(() => {})
      this.sandboxHandle = undefined
    }
    return super.finally(err)
  }

  /** JSON output is our own shape: returned data as-is (oclif's default would colourise on a TTY). */
  public override logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n')
  }
}
