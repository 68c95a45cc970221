/** Exit codes: documented in README.md ("Exit codes"); every command maps its failures onto these. */
export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  CREDENTIALS: 3,
  INVALID_INPUT: 4,
  NOT_FOUND: 5,
  NETWORK: 6,
  SESSION_NOT_COMPLETED: 7,
  /** A check ran and did not pass: a `menu test` scenario failed, coverage under --min-coverage. */
  CHECK_FAILED: 8,
  INTERRUPTED: 130,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * The one error type a command lets escape: a stable machine code, a plain message,
 * the exit code, and what the user can do about it.
 */
export class IvrError extends Error {
  readonly code: string
  readonly exitCode: number
  readonly suggestions: string[]

  constructor(message: string, opts: {code: string; exitCode: number; suggestions?: string[]; cause?: unknown}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'IvrError'
    this.code = opts.code
    this.exitCode = opts.exitCode
    this.suggestions = opts.suggestions ?? []
  }
}

export const usageError = (message: string, suggestions: string[] = []) =>
  new IvrError(message, {code: 'USAGE', exitCode: ExitCode.USAGE, suggestions})

export const invalidInput = (message: string, suggestions: string[] = [], code = 'INVALID_INPUT') =>
  new IvrError(message, {code, exitCode: ExitCode.INVALID_INPUT, suggestions})

export const notFound = (message: string, suggestions: string[] = [], code = 'NOT_FOUND') =>
  new IvrError(message, {code, exitCode: ExitCode.NOT_FOUND, suggestions})

export const credentialsError = (message: string, suggestions: string[] = [], code = 'CREDENTIALS') =>
  new IvrError(message, {code, exitCode: ExitCode.CREDENTIALS, suggestions})

export const networkError = (message: string, suggestions: string[] = [], code = 'NETWORK') =>
  new IvrError(message, {code, exitCode: ExitCode.NETWORK, suggestions})

/** Raised when the user pressed Ctrl-C at a prompt or during a wait. */
export const interrupted = () => new IvrError('Interrupted.', {code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED})

/**
 * A server's listen failure as what the user can change (--host, --port): a usage error, exit 2.
 * Undefined for any other failure. One reading for every command that listens.
 */
export function listenError(error: unknown, host: string, port: number): IvrError | undefined {
  const e = error as NodeJS.ErrnoException
  if (e?.code === 'EADDRINUSE') return usageError(`Port ${port} on ${host} is in use.`, ['Choose another with --port (0 picks a free one), or stop what uses it.'])
  if (e?.code === 'EADDRNOTAVAIL' || e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') {
    return usageError(`Cannot listen on ${host}: not an address of this machine.`, ['Use --host 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).'])
  }
  if (e?.code === 'EACCES' && e.syscall === 'listen') return usageError(`Not allowed to listen on port ${port} (ports below 1024 need privileges).`, ['Choose another with --port.'])
  return undefined
}
