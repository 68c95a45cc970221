import {execFileSync, spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {cliSpawnArgs, projectRoot} from './run.js'

/** The terminal tests need tmux: a missing one fails them, saying how to get it (they never skip). */
export function requireTmux(): void {
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is not installed; the terminal tests need it: apt-get install tmux (or brew install tmux)')
}

/**
 * A real terminal: the CLI runs inside a detached tmux session; keys are typed, the screen is read.
 * Each session has its own tmux server (socket named after it): on one shared server, a session ending
 * in one test process (the server exits with its last session) failed a session starting in another
 * ("server exited unexpectedly") under `mocha --parallel` or two test runs at once.
 */
export class TmuxSession {
  readonly name = `ivr-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  private readonly server = ['-L', this.name]

  constructor(args: string[], env: Record<string, string | undefined> = {}, opts: {columns?: number} = {}) {
    requireTmux()
    const spawnArgs = cliSpawnArgs(args)
    env = {...spawnArgs.env, ...env}
    const exports = Object.entries(env).map(([k, v]) => (v === undefined ? `unset ${k};` : `export ${k}='${v.replace(/'/g, `'\\''`)}';`)).join(' ')
    const cli = [spawnArgs.command, ...spawnArgs.args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
    const script = `${exports} unset CI; cd '${projectRoot}'; ${cli}; echo "EXIT=$?"; sleep 30`
    execFileSync('tmux', [...this.server, 'new-session', '-d', '-s', this.name, '-x', String(opts.columns ?? 120), '-y', '30', 'bash', '-c', script])
    this.socket = execFileSync('tmux', [...this.server, 'display-message', '-p', '#{socket_path}'], {encoding: 'utf8'}).trim()
  }

  /** The server's socket file: tmux leaves it behind when the server exits, so kill() removes it. */
  private readonly socket: string

  screen(): string {
    return execFileSync('tmux', [...this.server, 'capture-pane', '-p', '-t', this.name], {encoding: 'utf8'})
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', [...this.server, 'send-keys', '-t', this.name, ...keys])
  }

  /** Types text literally (no key-name interpretation). */
  type(text: string): void {
    execFileSync('tmux', [...this.server, 'send-keys', '-t', this.name, '-l', text])
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const until = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < until) {
      last = this.screen()
      if (pattern.test(last)) return last
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`timed out waiting for ${pattern} on screen:\n${last}`)
  }

  kill(): void {
    spawnSync('tmux', [...this.server, 'kill-session', '-t', this.name])
    if (this.socket) rmSync(this.socket, {force: true})
  }
}
