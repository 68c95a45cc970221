import {promises as fs} from 'node:fs'
import path from 'node:path'

import {writeFileAtomic} from '../fs-atomic.js'
import {request} from '../http/client.js'
import {processAlive} from '../process-alive.js'
import type {SandboxOptions} from './server.js'

/** A running sandbox a command is talking to: the discovered one, or one started in this process. */
export interface SandboxHandle {
  baseUrl: string
  apiKey: string
  subAccountId: string
  inProcess: boolean
  close(): Promise<void>
}

/** What `ivr sandbox start` writes so other commands find it: <dataDir>/sandbox.json. */
export interface SandboxDiscovery {
  baseUrl: string
  apiKey: string
  subAccountId: string
  pid: number
  startedAt: string
}

export function discoveryFile(dataDir: string): string {
  return path.join(dataDir, 'sandbox.json')
}

/** Writes the discovery file (0600: it holds the sandbox's key), whole or not at all. */
export async function writeDiscovery(dataDir: string, info: SandboxDiscovery): Promise<void> {
  await writeFileAtomic(discoveryFile(dataDir), JSON.stringify(info, null, 2) + '\n', {mode: 0o600})
}

export async function readDiscovery(dataDir: string): Promise<SandboxDiscovery | undefined> {
  try {
    const d = JSON.parse(await fs.readFile(discoveryFile(dataDir), 'utf8'))
    return d && typeof d.baseUrl === 'string' && typeof d.apiKey === 'string' ? d : undefined
  } catch {
    return undefined
  }
}

/** The sandbox another process runs and the discovery file names, if it answers (a stale file names none). */
export async function liveSandbox(dataDir: string, selfPid: number): Promise<SandboxDiscovery | undefined> {
  const found = await readDiscovery(dataDir)
  return found && found.pid !== selfPid && (await answers(found)) ? found : undefined
}

/** Whether a sandbox answers its health probe at baseUrl (quickly: it is on loopback). */
export async function probeSandbox(baseUrl: string, timeoutMs = 500): Promise<boolean> {
  return (await request(`${baseUrl}/sandbox/health`, {timeoutMs})).status === 200
}

/**
 * Whether the sandbox a discovery file names answers. While the process that wrote the file still
 * runs, it gets 5 s, not 500 ms: a sandbox busy with a burst of calls or webhooks on a loaded machine
 * answered late, and the command went on with a sandbox of its own, where its changes were lost.
 */
function answers(found: SandboxDiscovery): Promise<boolean> {
  return probeSandbox(found.baseUrl, processAlive(found.pid) ? 5000 : 500)
}

/**
 * The running sandbox named by the discovery file, or a fresh in-process one for this command's
 * lifetime, created with `inProcess` (population, limits...; a running sandbox keeps its own).
 */
export async function connectSandbox(opts: {dataDir: string; debug?: (line: string) => void; inProcess?: SandboxOptions}): Promise<SandboxHandle> {
  const found = await readDiscovery(opts.dataDir)
  if (found && (await answers(found))) {
    opts.debug?.(`using the running sandbox at ${found.baseUrl} (pid ${found.pid})`)
    return {baseUrl: found.baseUrl, apiKey: found.apiKey, subAccountId: found.subAccountId, inProcess: false, close: async () => {}}
  }
  const {startSandbox} = await import('./server.js')
  const sb = await startSandbox({...opts.inProcess, host: '127.0.0.1', port: 0})
  opts.debug?.(`started an in-process sandbox at ${sb.baseUrl}`)
  return {baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, inProcess: true, sandbox: sb, close: () => sb.close()} as SandboxHandle
}
