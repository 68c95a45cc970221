// What bench/campaign.ts and bench/campaign-postgres.ts share: the contacts, a sandbox in a process
// of its own (the platform is not in the runner's process), the bare loop every figure is set
// against, the real `ivr campaign run` as a child, and the lines they print.
import {spawn} from 'node:child_process'
import {createWriteStream, existsSync, promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {VoiceApi} from '../../src/lib/api/client.js'
import type {CallflowRequest} from '../../src/lib/callflow/types.js'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const CONTACTS = Number(process.env.BENCH_CAMPAIGN_CONTACTS || 10_000)
export const RATE = Number(process.env.BENCH_CAMPAIGN_RATE || 200)
export const FLOW = {callflow: [{action: 'makeCall', params: {source: '{{from}}', destination: '{{to}}'}}, {action: 'say', params: {text: 'Your appointment is tomorrow at ten.', voiceProfile: 'en-US-Neural2-C'}}, {action: 'hangup'}]}

export const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

export async function writeContacts(file: string, n: number, prefix = '+6581'): Promise<void> {
  const out = createWriteStream(file)
  out.write('phone,name\n')
  for (let i = 0; i < n; i++) {
    if (!out.write(`${prefix}${String(i).padStart(6, '0')},Person ${i}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve) => out.end(resolve))
}

/** The contacts and the callflow of the paced runs, in `dir`. */
export async function pacedFiles(dir: string): Promise<{contacts: string; flow: string}> {
  const contacts = path.join(dir, 'paced.csv')
  await writeContacts(contacts, CONTACTS)
  const flow = path.join(dir, 'flow.json')
  await fs.writeFile(flow, JSON.stringify(FLOW))
  return {contacts, flow}
}

export interface ChildSandbox {
  baseUrl: string
  apiKey: string
  subAccountId: string
  /** The data folder whose discovery file names it: `--sandbox` commands with IVR_DATA_DIR here use it. */
  env: Record<string, string>
  close(): Promise<void>
}

/** `ivr sandbox start --port 0` in a process of its own, found through its discovery file. */
export async function childSandbox(dir: string): Promise<ChildSandbox> {
  const env = {IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache')}
  const child = spawn(process.execPath, [path.join(root, 'bin', 'run.js'), 'sandbox', 'start', '--port', '0'], {env: {...process.env, NODE_ENV: 'production', ...env}, stdio: 'ignore'})
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const file = path.join(env.IVR_DATA_DIR, 'sandbox.json')
  for (let i = 0; !existsSync(file); i++) {
    if (i > 300 || child.exitCode !== null) throw new Error('the sandbox did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
  const d = JSON.parse(await fs.readFile(file, 'utf8')) as {baseUrl: string; apiKey: string; subAccountId: string}
  return {
    ...d, env,
    async close() {
      child.kill('SIGINT')
      await exited
    },
  }
}

export interface Figures {
  /** Calls started a second, first to last start. */
  achieved: number
  lateness: number[]
  /** CPU ms per call (the processes measured). */
  cpuPerCall: number
}

/** Baseline: a bare loop of Send Callflow requests on the same grid, no journal, no receiver. */
export async function bareLoop(sb: ChildSandbox): Promise<Figures & {failed: number}> {
  const api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'bench', retries: 0})
  const interval = 1000 / RATE
  const lateness: number[] = []
  const cpu = cpuMs()
  const start = performance.now()
  const inflight: Promise<unknown>[] = []
  let failed = 0
  for (let i = 0; i < CONTACTS; i++) {
    const due = start + i * interval
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    lateness.push(Math.max(0, performance.now() - due))
    const request = {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: `+6582${String(i).padStart(6, '0')}`}}, FLOW.callflow[1], FLOW.callflow[2]]} as CallflowRequest
    inflight.push(api.sendCallflow(request).catch(() => failed++))
  }
  const lastStart = performance.now()
  await Promise.all(inflight)
  return {achieved: (CONTACTS - 1) / ((lastStart - start) / 1000), lateness, cpuPerCall: (cpuMs() - cpu) / CONTACTS, failed}
}

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  /** User + system CPU of the process (from /usr/bin/time -v; NaN without it). */
  cpuMs: number
}

/** The real CLI as a child, under /usr/bin/time -v when there is one (for its CPU). */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const time = existsSync('/usr/bin/time')
  const argv = [process.execPath, path.join(root, 'bin', 'run.js'), ...args]
  const child = spawn(time ? '/usr/bin/time' : argv[0], time ? ['-v', ...argv] : argv.slice(1), {env: {...process.env, NODE_ENV: 'production', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code) => {
    const seconds = (name: string) => Number(new RegExp(`${name} time \\(seconds\\): ([\\d.]+)`).exec(stderr)?.[1] ?? Number.NaN)
    resolve({code, stdout, stderr, cpuMs: (seconds('User') + seconds('System')) * 1000})
  }))
}

/** The lateness of every call a run started, from its NDJSON `call` events. */
export function latenessOf(ndjson: string): number[] {
  const out: number[] = []
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"type":"call"')) continue
    const ev = JSON.parse(line) as {lateMs?: number}
    if (typeof ev.lateMs === 'number') out.push(ev.lateMs)
  }
  return out
}

/** The figures' lines: each beside the bare loop's from the same run. */
export function printFigures(title: string, run: Figures, bare: Figures & {failed: number}, cpuNote: string): void {
  console.log(title)
  console.log(`    achieved rate        ${run.achieved.toFixed(1).padStart(7)} /s  ${(run.achieved / RATE).toFixed(3)}x target (within 2 %: 0.980-1.020); bare loop ${(bare.achieved / RATE).toFixed(3)}x (${bare.failed} of its requests failed)`)
  console.log(`    p99 start lateness   ${p99(run.lateness).toFixed(1).padStart(7)} ms (target < 50 ms); bare loop ${p99(bare.lateness).toFixed(1)} ms`)
  console.log(`    CPU per call         ${run.cpuPerCall.toFixed(2).padStart(7)} ms  ${(run.cpuPerCall / bare.cpuPerCall).toFixed(2)}x the bare loop's ${bare.cpuPerCall.toFixed(2)} ms (${cpuNote})`)
}
