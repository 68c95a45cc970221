import {randomBytes} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {ExitCode, IvrError} from './errors.js'
import {processAlive} from './process-alive.js'

export interface FileLockOptions {
  /** How long to wait for another holder before giving up (default 10 s). */
  timeoutMs?: number
  /** Mode of the folder, when it has to be created. */
  dirMode?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `<pid> <random>`: whose lock it is, unique per acquisition. */
const parseHolder = (text: string): number | undefined => {
  const pid = Number(text.split(' ')[0])
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/**
 * Runs `fn` while holding `<file>.lock`, so read-modify-write cycles of a shared file by several
 * processes happen one after the other instead of overwriting each other's changes. The lock is
 * an exclusively created file naming its holder; one left by a process that died is broken by
 * the next taker (moved aside first, so two takers cannot both break it and both proceed).
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const release = await acquireFileLock(file, opts)
  try {
    return await fn()
  } finally {
    await release()
  }
}

export async function acquireFileLock(file: string, opts: FileLockOptions = {}): Promise<() => Promise<void>> {
  const lock = `${file}.lock`
  const token = `${process.pid} ${randomBytes(8).toString('hex')}`
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000)
  await fs.mkdir(path.dirname(lock), {recursive: true, mode: opts.dirMode ?? 0o700})
  let holder: number | undefined
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    try {
      await fs.writeFile(lock, token, {flag: 'wx', mode: 0o600})
      return async () => {
        const now = await fs.readFile(lock, 'utf8').catch(() => '')
        if (now === token) await fs.rm(lock, {force: true})
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const seen = await readLock(lock)
    holder = seen ? parseHolder(seen.text) : undefined
    if (seen && (holder === undefined ? seen.ageMs > 5000 : !processAlive(holder))) await breakStale(lock, seen.text)
    else if (Date.now() > deadline) {
      throw new IvrError(`${file} is locked by another ivr process${holder ? ` (pid ${holder})` : ''}.`, {
        code: 'LOCKED', exitCode: ExitCode.USAGE,
        suggestions: ['Wait for it to finish and try again.', `If no ivr command is running, remove ${lock}.`],
      })
    } else await sleep(wait + Math.random() * wait)
  }
}

async function readLock(lock: string): Promise<{text: string; ageMs: number} | undefined> {
  try {
    const [text, st] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)])
    return {text, ageMs: Date.now() - st.mtimeMs}
  } catch {
    return undefined
  }
}

/** Removes a dead holder's lock, but only if it is still that lock (not a new holder's). */
async function breakStale(lock: string, staleText: string): Promise<void> {
  const aside = `${lock}.${randomBytes(6).toString('hex')}.stale`
  try {
    await fs.rename(lock, aside)
  } catch {
    return
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '')
  // We moved a live holder's fresh lock: put it back (link fails if a third process took the lock meanwhile).
  if (moved !== staleText) await fs.link(aside, lock).catch(() => {})
  await fs.rm(aside, {force: true})
}
