// The built CLI as a long-running child process, as a user (or a process manager on another machine) runs it.
import {spawn, type ChildProcess} from 'node:child_process'
import path from 'node:path'

import {projectRoot} from './run.js'

export interface CliProcess {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

export function spawnIvr(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), ...args], {env: {...process.env, NODE_ENV: 'production', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  return {child, stdout: () => out, stderr: () => err, exited: new Promise((resolve) => child.on('close', (code) => resolve(code)))}
}

/** Polls `check` every 100 ms until it holds; fails naming `what` after `ms`. */
export async function until(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
