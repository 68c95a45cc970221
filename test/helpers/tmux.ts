import {execFileSync, spawnSync} from 'node:child_process'
import path from 'node:path'

import {projectRoot} from './run.js'

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0
}

/** The terminal tests need tmux: without it they fail (never skip) and say how to get it. */
export function requireTmux(): void {
  if (!hasTmux()) throw new Error('tmux is not installed, and the terminal tests run the CLI inside it: install it (apt-get install tmux, brew install tmux) and run the tests again')
}

/** A real terminal: the CLI runs inside a detached tmux session; keys are typed, the screen is read. */
export class TmuxSession {
  readonly name = `ivr-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

  constructor(args: string[], env: Record<string, string | undefined> = {}) {
    const exports = Object.entries(env).map(([k, v]) => (v === undefined ? `unset ${k};` : `export ${k}='${v.replace(/'/g, `'\\''`)}';`)).join(' ')
    const cli = [process.execPath, '--import', 'tsx', '--no-warnings', path.join(projectRoot, 'bin', 'dev.js'), ...args].map((a) => `'${a}'`).join(' ')
    const script = `${exports} unset CI; cd '${projectRoot}'; ${cli}; echo "EXIT=$?"; sleep 30`
    execFileSync('tmux', ['new-session', '-d', '-s', this.name, '-x', '120', '-y', '30', 'bash', '-c', script])
  }

  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], {encoding: 'utf8'})
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys])
  }

  /** Types text literally (no key-name interpretation). */
  type(text: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text])
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
    spawnSync('tmux', ['kill-session', '-t', this.name])
  }
}
