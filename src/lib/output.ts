/**
 * What a service says, through the command that runs it: the command decides where each goes
 * (stdout, stderr, nothing under --json), so services print nothing themselves and are tested
 * in-process with a recording Output.
 */
export interface Output {
  /** Data: stdout, silent under --json. */
  out(text: string): void
  /** Status and progress: stderr, silent under --json. */
  status(text: string): void
  /** A warning: stderr, always (prefixed "Warning:"). */
  warn(text: string): void
  /** What the operator must see as it is: stderr, always (problems in a file, a refused request). */
  notice(text: string): void
}

/** An Output that keeps what was said, per channel (tests, and callers that print later). */
export function recordingOutput(): Output & {said: Record<'out' | 'status' | 'warn' | 'notice', string[]>} {
  const said = {out: [] as string[], status: [] as string[], warn: [] as string[], notice: [] as string[]}
  return {
    said,
    out: (t) => said.out.push(t), status: (t) => said.status.push(t), warn: (t) => said.warn.push(t), notice: (t) => said.notice.push(t),
  }
}
