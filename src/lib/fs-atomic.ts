import {randomBytes} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'

/**
 * Writes a file so that a reader (or a crash) sees either the old content or the new one, never
 * half of each: a temp file beside it, flushed, then renamed over. `mode` applies from the start,
 * so a secret is never readable by others even for an instant.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, opts: {mode?: number; dirMode?: number} = {}): Promise<void> {
  const dir = path.dirname(file)
  await fs.mkdir(dir, {recursive: true, mode: opts.dirMode ?? 0o700})
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const handle = await fs.open(tmp, 'w', opts.mode ?? 0o600)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    if (opts.mode !== undefined) await fs.chmod(tmp, opts.mode)
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.rm(tmp, {force: true})
    throw error
  }
}
