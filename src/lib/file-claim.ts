/**
 * Exclusive claims on a file, made of plain files so they work on every platform Node runs on:
 * the receiver's claim on a store, the lease of a webhook registration, and short read-modify-write
 * locks (withFileLock).
 *
 * A claim file is created whole or not at all (written beside, then hard-linked into place: link
 * fails when the name exists), and replaced only by rename, so a reader never sees half of one.
 * A claim whose process is gone is stale; taking it over is itself guarded by a claim named after
 * the stale content, so of several processes that find the same stale claim exactly one removes it,
 * and none can remove a claim made after it (see takeOver).
 */
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {ExitCode, IvrError} from './errors.js'
import {writeFileAtomic} from './fs-atomic.js'
import {processAlive} from './process-alive.js'

export interface ClaimInfo {
  pid: number
}

export interface Claim<T extends ClaimInfo> {
  readonly file: string
  readonly info: T
  /** Rewrites the claim's content (atomically); it stays held. */
  update(next: T): Promise<void>
  /** Gives the claim up, if it is still ours. */
  release(): Promise<void>
}

export type ClaimResult<T extends ClaimInfo> = {claim: Claim<T>} | {heldBy: T}

/**
 * Creates `file` with `text` if no file of that name exists, atomically: true when created, false
 * when one was there. Missing folders are made (0700).
 */
export async function createExclusive(file: string, text: string, opts: {mode?: number} = {}): Promise<boolean> {
  const dir = path.dirname(file)
  await fs.mkdir(dir, {recursive: true, mode: 0o700})
  // node:crypto is loaded when a claim is made, not at every start (startup is budgeted).
  const {randomBytes} = await import('node:crypto')
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.new`)
  const handle = await fs.open(tmp, 'wx', opts.mode ?? 0o600)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.link(tmp, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await fs.rm(tmp, {force: true})
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** The claim's holder when its process runs; undefined when the claim is stale (holder gone, or unreadable). */
export function liveHolder<T extends ClaimInfo>(text: string): T | undefined {
  try {
    const info = JSON.parse(text) as T
    return info && Number.isInteger(info.pid) && info.pid > 0 && processAlive(info.pid) ? info : undefined
  } catch {
    return undefined
  }
}

/** Who holds the claim on `file` now, if anyone alive does. */
export async function readClaim<T extends ClaimInfo>(file: string): Promise<T | undefined> {
  const text = await readText(file).catch(() => undefined)
  return text === undefined ? undefined : liveHolder<T>(text)
}

const MAX_DEPTH = 4

/**
 * Claims `file` for `info.pid`. A claim held by a live process (this one included) is not taken:
 * its holder is returned. A stale one is taken over.
 */
export async function claimFile<T extends ClaimInfo>(file: string, info: T, depth = 0): Promise<ClaimResult<T>> {
  // The nonce makes every claim's text unique, so "is it still the one I saw" is a text comparison.
  const {randomBytes} = await import('node:crypto')
  const nonce = randomBytes(8).toString('hex')
  let text = JSON.stringify({...info, nonce})
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createExclusive(file, text)) {
      return {claim: {
        file,
        get info() {
          return info
        },
        async update(next: T) {
          info = next
          text = JSON.stringify({...next, nonce})
          await writeFileAtomic(file, text, {mode: 0o600})
        },
        async release() {
          if ((await readText(file).catch(() => undefined)) === text) await fs.rm(file, {force: true})
        },
      }}
    }
    const seen = await readText(file)
    if (seen === undefined) continue // released meanwhile: try again
    const holder = liveHolder<T>(seen)
    if (holder) return {heldBy: holder}
    if (depth >= MAX_DEPTH) break
    if (!(await takeOver(file, seen, info.pid, depth))) await new Promise((r) => setTimeout(r, 10 + Math.random() * 20))
  }
  throw new Error(`Could not claim ${file}: it keeps changing.`)
}

/**
 * Removes the stale claim `seen` from `file`, if it is still there. Whoever does so first holds
 * `<file>.takeover-<hash of seen>`: of the processes that found the same stale claim only one gets
 * it, and it removes the file only while its text is still `seen` (no one else can remove or
 * replace it meanwhile), so a claim made after the stale one is never removed. False when another
 * process is doing it.
 */
async function takeOver(file: string, seen: string, pid: number, depth: number): Promise<boolean> {
  const {createHash} = await import('node:crypto')
  const guardFile = `${file}.takeover-${createHash('sha1').update(seen).digest('hex').slice(0, 16)}`
  const guard = await claimFile(guardFile, {pid}, depth + 1)
  if (!('claim' in guard)) return false
  try {
    if ((await readText(file)) === seen) await fs.rm(file, {force: true})
  } finally {
    await guard.claim.release()
  }
  return true
}

/**
 * Runs fn while holding `lockFile` (for a read-modify-write of a file that several processes
 * change). Waits for a live holder up to timeoutMs, then throws.
 */
export async function withFileLock<R>(lockFile: string, fn: () => Promise<R>, opts: {pid: number; timeoutMs?: number}): Promise<R> {
  const until = Date.now() + (opts.timeoutMs ?? 10_000)
  for (;;) {
    const r = await claimFile(lockFile, {pid: opts.pid})
    if ('claim' in r) {
      try {
        return await fn()
      } finally {
        await r.claim.release()
      }
    }
    if (Date.now() > until) {
      throw new IvrError(`${lockFile} is held by process ${r.heldBy.pid}.`, {code: 'LOCKED', exitCode: ExitCode.USAGE, suggestions: ['Wait for that command to finish, then try again.']})
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20))
  }
}
