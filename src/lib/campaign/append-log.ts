/**
 * A durable append-only file of lines: append() resolves once its line is written and fdatasync'ed.
 * Appends that arrive while a sync runs go out together in the next write + sync (group commit), so
 * a runner starting hundreds of calls a second pays for a few syncs, not hundreds. Like the session
 * store; a line is the unit a crash can tear, and a torn last line is cut off when the file is next
 * opened for writing (it was never acknowledged).
 */
import {promises as fs} from 'node:fs'

import {cutTornTail} from '../fs-atomic.js'

interface Pending {
  line: string
  resolve: () => void
  reject: (e: unknown) => void
}

export class AppendLog {
  private queue: Pending[] = []
  private flushing?: Promise<void>
  private closed = false

  private constructor(readonly file: string, private readonly handle: fs.FileHandle) {}

  /** Opens `file` for appending (0600), first cutting off a torn last line; returns how many bytes were cut. */
  static async open(file: string): Promise<{log: AppendLog; cut: number}> {
    const cut = await cutTornTail(file)
    const handle = await fs.open(file, 'a', 0o600)
    return {log: new AppendLog(file, handle), cut}
  }

  /** Appends one line (no newline in it) durably. */
  append(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.file} is closed.`))
    const done = new Promise<void>((resolve, reject) => this.queue.push({line: `${line}\n`, resolve, reject}))
    this.kick()
    return done
  }

  private kick(): void {
    this.flushing ??= this.flushLoop().finally(() => {
      this.flushing = undefined
      if (this.queue.length > 0) this.kick()
    })
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      try {
        const buf = Buffer.from(batch.length === 1 ? batch[0].line : batch.map((p) => p.line).join(''))
        let off = 0
        while (off < buf.length) off += (await this.handle.write(buf, off, buf.length - off)).bytesWritten
        await this.handle.datasync()
        for (const p of batch) p.resolve()
      } catch (error) {
        for (const p of batch) p.reject(error)
      }
    }
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing
    this.closed = true
    await this.handle.close()
  }
}


/**
 * Every complete line of `file` from byte `from`, with its byte offset, as a slice of a reused
 * buffer (valid only during the call). Returns the offset after the last complete line (a torn
 * last line is left for later: it may still be being written).
 */
export async function scanLines(file: string, from: number, fn: (buf: Buffer, start: number, end: number, offset: number) => void): Promise<number> {
  let fh: fs.FileHandle
  try {
    fh = await fs.open(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return from
    throw error
  }
  try {
    let buf = Buffer.allocUnsafe(4 << 20)
    let filled = 0
    let base = from // file offset of buf[0]
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2)
        buf.copy(bigger, 0, 0, filled)
        buf = bigger
      }
      const {bytesRead} = await fh.read(buf, filled, buf.length - filled, base + filled)
      if (bytesRead === 0) break
      filled += bytesRead
      let pos = 0
      let nl: number
      while ((nl = buf.indexOf(10, pos)) !== -1 && nl < filled) {
        if (nl > pos) fn(buf, pos, nl, base + pos)
        pos = nl + 1
      }
      if (pos > 0) {
        buf.copy(buf, 0, pos, filled)
        filled -= pos
        base += pos
      }
    }
    return base
  } finally {
    await fh.close()
  }
}
