import {spawn} from 'node:child_process'
import path from 'node:path'
import {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'

import {run} from '@oclif/core'
import {captureOutput} from '@oclif/test'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
  error?: Error
}

/**
 * Runs `ivr ARGS` in-process (oclif's runCommand), with extra env for the duration; `input` is what
 * standard input holds (piped, not a terminal), as `printf %s INPUT | ivr ARGS` gives it.
 */
export async function runIvr(args: string[], opts: {env?: Record<string, string | undefined>; input?: string} = {}): Promise<RunResult> {
  const saved: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    saved[k] = process.env[k]
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  const prevExit = process.exitCode
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!
  if (opts.input !== undefined) {
    const piped = Readable.from([Buffer.from(opts.input)])
    Object.defineProperty(process, 'stdin', {configurable: true, enumerable: true, get: () => piped})
  }
  try {
    // oclif's runCommand re-splits joined arguments on spaces; run() keeps each argument whole.
    const {stdout, stderr, error} = await captureOutput(async () => run(args, {root: projectRoot}))
    const exitCode = error ? ((error as Error & {oclif?: {exit?: number}}).oclif?.exit ?? 1) : 0
    return {stdout, stderr, exitCode, error}
  } finally {
    Object.defineProperty(process, 'stdin', stdin)
    process.exitCode = prevExit
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/**
 * How to start the real executable as a child: bin/run.js over the build (dist/, oclif.manifest.json),
 * as a user runs it. `npm test` builds first; after changing src, `npm run build` before a command test.
 * (Starting from src through tsx costs about three times as long per spawn.)
 */
export function cliSpawnArgs(args: string[]): {command: string; args: string[]; env: Record<string, string>} {
  return {command: process.execPath, args: [path.join(projectRoot, 'bin', 'run.js'), ...args], env: {NODE_ENV: 'production'}}
}

/** Runs the real executable as a child process: for stdin, signals and TTY-less behaviour. */
export function runBin(args: string[], opts: {input?: string; env?: Record<string, string | undefined>; timeoutMs?: number} = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {}
    const cli = cliSpawnArgs(args)
    for (const [k, v] of Object.entries({...process.env, ...cli.env, ...opts.env})) if (v !== undefined) env[k] = v
    const child = spawn(cli.command, cli.args, {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({stdout, stderr, exitCode: code ?? (signal ? 128 : 1)})
    })
    child.stdin.end(opts.input ?? '')
  })
}
