import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'

import {cliSpawnArgs} from '../../helpers/run.js'

/** A long-running `ivr ...` (e.g. sessions tail) as a child process, with its output collected as it comes. */
export class LiveIvr {
  readonly child: ChildProcessWithoutNullStreams
  stdout = ''
  stderr = ''
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>

  constructor(args: string[], env: Record<string, string | undefined> = {}, input?: string) {
    const full: Record<string, string> = {}
    const cli = cliSpawnArgs(args)
    for (const [k, v] of Object.entries({...process.env, ...cli.env, ...env})) if (v !== undefined) full[k] = v
    this.child = spawn(cli.command, cli.args, {env: full, stdio: ['pipe', 'pipe', 'pipe']})
    this.child.stdout.on('data', (d) => (this.stdout += d))
    this.child.stderr.on('data', (d) => (this.stderr += d))
    this.child.stdout.on('error', () => {})
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({code, signal})))
    this.child.stdin.end(input ?? '')
  }

  /** Resolves with the first match of `pattern` in stderr (or stdout), failing if the process ends first. */
  async waitFor(pattern: RegExp, where: 'stderr' | 'stdout' = 'stderr', timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeoutMs
    let ended = false
    void this.exited.then(() => (ended = true))
    for (;;) {
      const m = this[where].match(pattern)
      if (m) return m
      if (ended || Date.now() > until) throw new Error(`no ${pattern} in ${where}; stderr:\n${this.stderr}\nstdout:\n${this.stdout}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  /** The receiver's URL, once it listens. */
  async url(): Promise<string> {
    return (await this.waitFor(/Listening on (http:\/\/\S+?);/))[1]
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal)
  }
}
