/**
 * Waiting for a session's summary: `send-callflow --wait` with a real account waits on the store
 * that a running `ivr sessions tail` fills. The file is followed by offset (polled, so it works on
 * every filesystem); an in-process store is also listened to, for an immediate answer.
 */
import {promises as fs} from 'node:fs'

import {ExitCode, interrupted} from '../errors.js'
import {readSummary} from '../webhooks/parse.js'
import {parseStoredLine, type EventStore, type StoredEvent} from './store.js'

export interface WaitOptions {
  /** An open store (in-process receiver) or the path of one. */
  store?: EventStore
  file?: string
  sessionId: string
  timeoutMs: number
  signal?: AbortSignal
  /** How often the file is looked at; default 200 ms. */
  pollMs?: number
}

const isSummaryFor = (ev: StoredEvent | undefined, sessionId: string) => ev?.type === 'SESSION_SUMMARY' && ev.sessionId === sessionId

/** Scans the complete lines of `file` from `offset`; returns the match, if any, and the new offset. */
async function scanFrom(file: string, offset: number, sessionId: string): Promise<{found?: StoredEvent; offset: number}> {
  let fh: fs.FileHandle
  try {
    fh = await fs.open(file, 'r')
  } catch {
    return {offset}
  }
  try {
    const {size} = await fh.stat()
    if (size < offset) offset = 0 // replaced by a smaller file: start over
    const needle = JSON.stringify(sessionId)
    const buf = Buffer.alloc(1 << 20)
    let carry = ''
    let pos = offset
    while (pos < size) {
      const {bytesRead} = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos)
      if (bytesRead === 0) break
      pos += bytesRead
      const text = carry + buf.toString('utf8', 0, bytesRead)
      const lines = text.split('\n')
      carry = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.includes(needle)) continue
        const ev = parseStoredLine({text: line, lineNo: 0, torn: false}, file)
        if (isSummaryFor(ev, sessionId)) return {found: ev, offset: pos}
      }
    }
    // An incomplete last line is read again next time, once it is whole.
    return {offset: pos - Buffer.byteLength(carry)}
  } finally {
    await fh.close()
  }
}

/** The session's summary once it is stored, or undefined after timeoutMs. Aborting rejects with an "Interrupted" IvrError. */
export function waitForSummary(opts: WaitOptions): Promise<StoredEvent | undefined> {
  const file = opts.store?.file ?? opts.file
  if (!file) throw new TypeError('waitForSummary needs a store or a file')
  const pollMs = opts.pollMs ?? 200
  return new Promise<StoredEvent | undefined>((resolve, reject) => {
    let settled = false
    let offset = 0
    let timer: NodeJS.Timeout | undefined
    let scanning = false
    const finish = (err: unknown, ev?: StoredEvent) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      clearTimeout(timer)
      opts.store?.off('event', onEvent)
      opts.signal?.removeEventListener('abort', onAbort)
      if (err) reject(err)
      else resolve(ev)
    }
    const onEvent = (ev: StoredEvent) => {
      if (isSummaryFor(ev, opts.sessionId)) finish(undefined, ev)
    }
    const onAbort = () => finish(interrupted())
    const poll = async () => {
      if (settled || scanning) return
      scanning = true
      try {
        const r = await scanFrom(file, offset, opts.sessionId)
        offset = r.offset
        if (r.found) return finish(undefined, r.found)
      } catch (error) {
        return finish(error)
      } finally {
        scanning = false
      }
      if (!settled) timer = setTimeout(poll, pollMs)
    }
    const deadline = setTimeout(() => finish(undefined, undefined), opts.timeoutMs)
    if (opts.signal?.aborted) return onAbort()
    opts.signal?.addEventListener('abort', onAbort, {once: true})
    opts.store?.on('event', onEvent)
    void poll()
  })
}

/** The exit code `--wait` ends with: 0 for COMPLETED, 7 for any other outcome (6, the timeout, is the caller's). */
export function exitCodeForSummary(ev: StoredEvent): number {
  return readSummary(ev.body).sessionStatus === 'COMPLETED' ? ExitCode.OK : ExitCode.SESSION_NOT_COMPLETED
}
