/**
 * One receiver writes a store at a time: `<store>.receiver.json` names it (pid, URL). It also
 * tells `send-callflow --wait` whether anything is filling the store it waits on.
 */
import {promises as fs} from 'node:fs'

import {IvrError, ExitCode} from '../errors.js'
import {processAlive} from '../process-alive.js'

export interface ReceiverInfo {
  pid: number
  url: string
  startedAt: string
}

export const lockFileFor = (storeFile: string) => `${storeFile}.receiver.json`


/** The receiver filling this store, if one is running. */
export async function runningReceiver(storeFile: string): Promise<ReceiverInfo | undefined> {
  try {
    const info = JSON.parse(await fs.readFile(lockFileFor(storeFile), 'utf8')) as ReceiverInfo
    return Number.isInteger(info.pid) && processAlive(info.pid) ? info : undefined
  } catch {
    return undefined
  }
}

/** Claims the store for this process; a stale claim (its process gone) is taken over. */
export async function acquireReceiverLock(storeFile: string, info: ReceiverInfo): Promise<{release(): Promise<void>; update(info: ReceiverInfo): Promise<void>}> {
  const file = lockFileFor(storeFile)
  let text = JSON.stringify(info)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, text, {flag: 'wx', mode: 0o600})
      return {
        async update(next: ReceiverInfo) {
          text = JSON.stringify(next)
          await fs.writeFile(file, text, {mode: 0o600})
        },
        async release() {
          const now = await fs.readFile(file, 'utf8').catch(() => '')
          if (now === text) await fs.rm(file, {force: true})
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const other = await runningReceiver(storeFile)
      if (other && other.pid !== info.pid) {
        throw new IvrError(`Another receiver (pid ${other.pid}, ${other.url}) is already writing ${storeFile}.`, {
          code: 'STORE_BUSY', exitCode: ExitCode.USAGE,
          suggestions: ['Stop it first, or give this one its own store with --store FILE.'],
        })
      }
      await fs.rm(file, {force: true})
    }
  }
  throw new IvrError(`Could not claim ${storeFile}.`, {code: 'STORE_BUSY', exitCode: ExitCode.USAGE})
}
