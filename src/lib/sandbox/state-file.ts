/** The sandbox's state file (--state): what it remembers across restarts. */
import {promises as fs} from 'node:fs'

import {writeFileAtomic} from '../fs-atomic.js'
import {SandboxError, type CallEngine, type Timeline} from './engine.js'
import type {SandboxState} from './state.js'

interface StateFile {
  version: 1
  subAccounts: unknown
  sessions: Timeline[]
}

export async function loadState(file: string, state: SandboxState, engine: CallEngine): Promise<void> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  let data: StateFile
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new SandboxError(`state file ${file} is not valid JSON (${(error as Error).message}); move it away or fix it`, 400)
  }
  state.load(data.subAccounts)
  for (const t of Array.isArray(data.sessions) ? data.sessions : []) if (t && typeof t.sessionId === 'string' && t.summary) engine.addFinished({...t, state: 'ended'})
}

export async function saveState(file: string, state: SandboxState, engine: CallEngine): Promise<void> {
  const data: StateFile = {version: 1, subAccounts: state.toJSON(), sessions: engine.finishedTimelines()}
  // It holds webhook auth headers and recording passwords: 0600.
  await writeFileAtomic(file, JSON.stringify(data), {mode: 0o600})
}
