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
  // node:crypto is loaded when a file is written, not at every start of every command that might write one.
  const {randomBytes} = await import('node:crypto')
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

/** Removes a last line without its newline (a write cut short by a crash); returns the bytes removed. */
export async function cutTornTail(file: string): Promise<number> {
  let fh: fs.FileHandle
  try {
    fh = await fs.open(file, 'r+')
  } catch {
    return 0
  }
  try {
    const {size} = await fh.stat()
    if (size === 0) return 0
    const last = Buffer.alloc(1)
    await fh.read(last, 0, 1, size - 1)
    if (last[0] === 10) return 0
    const block = Buffer.alloc(64 * 1024)
    let end = size
    let cut = 0
    while (end > 0) {
      const start = Math.max(0, end - block.length)
      const {bytesRead} = await fh.read(block, 0, end - start, start)
      const idx = block.subarray(0, bytesRead).lastIndexOf(10)
      if (idx !== -1) {
        cut = start + idx + 1
        break
      }
      end = start
    }
    await fh.truncate(cut)
    await fh.sync()
    return size - cut
  } finally {
    await fh.close()
  }
}
