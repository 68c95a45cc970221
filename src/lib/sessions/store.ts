/**
 * The local session store: append-only NDJSON, one file per sub-account in the data dir (or one the
 * user names). One line per webhook received:
 *   {"key":"SESSION_SUMMARY:<sessionId>","bodyBytes":1234,"receivedAt":"...","type":"SESSION_SUMMARY","sessionId":"...","path":"/vss","row":[...],"body":{...as received}}
 * `bodyBytes` (the body's length) lets a reader tell a whole line from one cut short without parsing it.
 * Appends are durable (written and fdatasync'ed before append() resolves) and grouped: every append
 * waiting while a flush runs goes out in the next single write + sync, which is what lets the
 * receiver acknowledge thousands of webhooks a second. Reads stream line by line.
 */
import {EventEmitter} from 'node:events'
import {isUtf8} from 'node:buffer'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {invalidInput} from '../errors.js'
import {cutTornTail} from '../fs-atomic.js'
import {jsonDepth, MAX_JSON_DEPTH} from '../json-depth.js'
import {unreadableReason} from '../input-file.js'
import {acquireReceiverLock, type ReceiverLock} from './lock.js'
import type {StoredEvent, Warn} from './event.js'
import {compactRow} from './row.js'

export type {StoredEvent, Warn} from './event.js'

/** Sub-account ids are `[A-Za-z0-9-._&]{3,50}`; anything else is made file-name safe. */
export function storeFileFor(dataDir: string, subAccountId: string): string {
  const name = subAccountId.replace(/[^A-Za-z0-9._&-]/g, '_').replace(/^\.+/, '_') || 'default'
  return path.join(dataDir, 'sessions', `${name}.ndjson`)
}

/** The store files present in the data dir, by sub-account. */
export async function listStoreFiles(dataDir: string): Promise<Array<{subAccountId: string; file: string}>> {
  const dir = path.join(dataDir, 'sessions')
  const names = await fs.readdir(dir).catch(() => [] as string[])
  return names.filter((n) => n.endsWith('.ndjson')).sort().map((n) => ({subAccountId: n.slice(0, -'.ndjson'.length), file: path.join(dir, n)}))
}

// ---- reading --------------------------------------------------------------------------------

export interface Line {
  text: string
  /** 1-based. */
  lineNo: number
  /** The last line had no newline: a write cut short by a crash (or one still being written). */
  torn: boolean
  /** Whether the line is whole, told from its bytes (wholeStoredLine); undefined when not known. */
  whole?: boolean
}

const STORE_HINT = 'Check the path and its permissions, or give --store FILE to use another store file.'

/**
 * A store file opened for reading, or undefined when there is none yet (a store that does not exist
 * has no events). Anything else that stops the reading (a folder, no permission) is the user's to
 * fix: invalid input, exit 4, never read as "no events".
 */
async function openStore(file: string): Promise<fs.FileHandle | undefined> {
  let fh: fs.FileHandle
  try {
    fh = await fs.open(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw invalidInput(`Cannot read ${file}: ${unreadableReason(error)}.`, [STORE_HINT], 'FILE_UNREADABLE')
  }
  if ((await fh.stat()).isDirectory()) {
    await fh.close()
    throw invalidInput(`Cannot read ${file}: it is a folder.`, [STORE_HINT], 'FILE_UNREADABLE')
  }
  return fh
}

/** The lines of a file, streamed. A missing file has none. */
export async function* readLines(file: string, opts: {start?: number} = {}): AsyncGenerator<Line> {
  const fh = await openStore(file)
  if (!fh) return
  const stream = fh.createReadStream({start: opts.start ?? 0, highWaterMark: 1 << 20})
  let rest: Buffer | undefined
  let lineNo = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = rest ? Buffer.concat([rest, chunk]) : chunk
    let from = 0
    let nl: number
    while ((nl = buf.indexOf(10, from)) !== -1) {
      lineNo++
      if (nl > from) yield {text: buf.toString('utf8', from, nl), lineNo, torn: false, whole: wholeLine(buf, from, nl)}
      from = nl + 1
    }
    rest = from < buf.length ? buf.subarray(from) : undefined
    buf = Buffer.alloc(0)
  }
  if (rest && rest.length > 0) yield {text: rest.toString('utf8'), lineNo: lineNo + 1, torn: true}
}

/**
 * Calls fn for every line of a file as a slice of a Buffer (no string made unless fn makes one):
 * the fast path for scanning a million lines. The slice is valid only during the call. The last
 * line may be torn.
 */
export async function forEachLine(file: string, fn: (buf: Buffer, start: number, end: number, lineNo: number, torn: boolean) => void): Promise<void> {
  const fh = await openStore(file)
  if (!fh) return
  try {
    // One reused buffer: the unfinished line is moved to its front before the next read.
    let buf = Buffer.allocUnsafe(8 << 20)
    let filled = 0
    let lineNo = 0
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2) // a line longer than the buffer
        buf.copy(bigger, 0, 0, filled)
        buf = bigger
      }
      const {bytesRead} = await fh.read(buf, filled, buf.length - filled, null)
      if (bytesRead === 0) break
      filled += bytesRead
      let from = 0
      let nl: number
      while ((nl = buf.indexOf(10, from)) !== -1 && nl < filled) {
        lineNo++
        if (nl > from) fn(buf, from, nl, lineNo, false)
        from = nl + 1
      }
      if (from > 0) {
        buf.copy(buf, 0, from, filled)
        filled -= from
      }
    }
    if (filled > 0) fn(buf, 0, filled, lineNo + 1, true)
  } finally {
    await fh.close()
  }
}

/** A store line wraps the body in two levels (the line, its row). */
const MAX_LINE_DEPTH = MAX_JSON_DEPTH + 2

/**
 * One stored line, or undefined (with a warning naming its line) when it is not a stored event.
 * A body nested deeper than the receiver accepts (stored by an older version) is skipped too:
 * everything that reads bodies recursively (views, --json, replay) is safe from it.
 */
export function parseStoredLine(line: Line, file: string, warn?: Warn): StoredEvent | undefined {
  if (jsonDepth(line.text, MAX_LINE_DEPTH) > MAX_LINE_DEPTH) {
    warn?.(`Line ${line.lineNo} of ${file} holds a body nested deeper than ${MAX_JSON_DEPTH} levels (no webhook is); skipped it.`)
    return undefined
  }
  let ev: unknown
  try {
    ev = JSON.parse(line.text)
  } catch {
    warn?.(line.torn
      ? `The last line of ${file} is incomplete (a write cut short by a crash?); skipped it. Every line before it is intact.`
      : `Line ${line.lineNo} of ${file} is not valid JSON; skipped it.`)
    return undefined
  }
  if (!ev || typeof ev !== 'object' || typeof (ev as {type?: unknown}).type !== 'string' || !('body' in ev)) {
    warn?.(`Line ${line.lineNo} of ${file} is not a stored webhook; skipped it.`)
    return undefined
  }
  return ev as StoredEvent
}

export interface ReadOptions {
  warn?: Warn
  /** A cheap test on the raw line before it is parsed (e.g. only summaries). */
  prefilter?: (text: string) => boolean
}

/** The stored events of a file, oldest first, streamed: memory stays flat whatever the file's size. */
export async function* readEvents(file: string, opts: ReadOptions = {}): AsyncGenerator<StoredEvent> {
  for await (const line of readLines(file)) {
    // A line the filter would skip is still read when it is not whole, so its damage is reported.
    if (opts.prefilter && !line.torn && !opts.prefilter(line.text) && line.whole) continue
    const ev = parseStoredLine(line, file, opts.warn)
    if (ev) yield ev
  }
}

const KEY_END = Buffer.from('","bodyBytes":')
const BODY_KEY = Buffer.from(',"body":')

/**
 * Whether a line the store wrote is whole, from its bytes and without parsing it: its head says
 * how long its body is (`"bodyBytes"`, right after the key), and the body must end exactly one
 * byte before the line does. A line cut short anywhere, even right after a "}", is told apart.
 * undefined: a line without that field (older writers, hand-made files).
 */
export function wholeStoredLine(buf: Buffer, start: number, end: number): boolean | undefined {
  if (!startsWith(buf, start, end, KEY_PREFIX)) return undefined
  let i = start + KEY_PREFIX.length
  while (i < end && buf[i] !== 34) i += buf[i] === 92 ? 2 : 1 // the key's closing quote
  if (!startsWith(buf, i, end, KEY_END)) return undefined
  let n = 0
  let j = i + KEY_END.length
  const digits = j
  while (j < end && buf[j] >= 48 && buf[j] <= 57 && j - digits < 12) n = n * 10 + buf[j++] - 48
  if (j === digits || buf[j] !== 44 /* , */) return false
  const body = end - 1 - n
  return buf[end - 1] === 125 && body - BODY_KEY.length > j && startsWith(buf, body - BODY_KEY.length, end, BODY_KEY)
}

/**
 * Whether a line is whole: by its body's length where the store wrote one, else by its brackets
 * balancing outside strings (a full scan: only lines from older writers take it).
 */
export function wholeLine(buf: Buffer, start: number, end: number): boolean {
  return wholeStoredLine(buf, start, end) ?? bracketsBalance(buf, start, end)
}

/** Whether a JSON value's brackets close exactly at its end, strings skipped. */
function bracketsBalance(buf: Buffer, start: number, end: number): boolean {
  let depth = 0
  let inString = false
  for (let i = start; i < end; i++) {
    const c = buf[i]
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 123 || c === 91) {
      depth++
    } else if ((c === 125 || c === 93) && --depth <= 0 && i !== end - 1) {
      return false
    }
  }
  return depth === 0 && !inString
}

function startsWith(buf: Buffer, at: number, end: number, bytes: Buffer): boolean {
  if (at < 0 || at + bytes.length > end) return false
  for (let k = 0; k < bytes.length; k++) if (buf[at + k] !== bytes[k]) return false
  return true
}

/** Summaries only: skips other lines without parsing them. */
export const SUMMARIES_ONLY = (text: string) => text.includes('"type":"SESSION_SUMMARY"')

// ---- writing --------------------------------------------------------------------------------

const KEY_PREFIX = Buffer.from('{"key":"')

/** The key of a line the store wrote (it comes first), read straight from the bytes. */
function keyAtStart(buf: Buffer, start: number, end: number): string | undefined {
  if (end - start < KEY_PREFIX.length || buf.compare(KEY_PREFIX, 0, KEY_PREFIX.length, start, start + KEY_PREFIX.length) !== 0) return undefined
  let escaped = false
  for (let i = start + KEY_PREFIX.length; i < end; i++) {
    const b = buf[i]
    if (b === 92) {
      escaped = true
      i++ // the escaped character, whatever it is
    } else if (b === 34) {
      const raw = buf.toString('utf8', start + KEY_PREFIX.length - 1, i + 1)
      return escaped ? JSON.parse(raw) : raw.slice(1, -1)
    }
  }
  return undefined
}

const LINE_END = Buffer.from('}\n')

/**
 * An event as one store line. `received`, when given, is the JSON ev.body was parsed from: it is
 * stored as received rather than serialized again (the receiver's hot path). JSON allows raw line
 * breaks only as whitespace between tokens, so where there are any they become spaces: the line
 * stays one line and the body the same.
 */
export function storeLine(ev: StoredEvent, received?: Buffer | string): Buffer {
  // The bytes as they came, when they are UTF-8 on one line: nothing to encode again.
  const body = Buffer.isBuffer(received) && received.indexOf(10) === -1 && received.indexOf(13) === -1 && isUtf8(received)
    ? received
    : Buffer.from((received === undefined ? JSON.stringify(ev.body) ?? 'null' : received.toString()).replace(/[\r\n]/g, ' '))
  const head = JSON.stringify({key: ev.key, bodyBytes: body.length, receivedAt: ev.receivedAt, type: ev.type, sessionId: ev.sessionId, path: ev.path, row: ev.row ?? compactRow(ev)})
  return Buffer.concat([Buffer.from(`${head.slice(0, -1)},"body":`), body, LINE_END])
}

interface Pending {
  line: Buffer
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * The writer side of a store. One writer per file at a time: opening claims the store (lock.ts)
 * before anything else, and closing gives the claim up. Emits 'event' (StoredEvent) after each
 * durable append.
 */
export class EventStore extends EventEmitter {
  readonly file: string
  private handle?: fs.FileHandle
  private lock?: ReceiverLock
  private readonly keys = new Set<string>()
  /** Appends written but not yet synced, by key: a duplicate waits for its original to be durable. */
  private readonly inFlight = new Map<string, Promise<void>>()
  private queue: Pending[] = []
  private flushing?: Promise<void>
  private closed = false

  private constructor(file: string) {
    super()
    this.file = file
  }

  /**
   * Claims the store for this process (refused, untouched, while another live writer holds it), then
   * opens it (creating, 0600), cuts off a torn last line, and loads the keys already stored. Only
   * the claim's holder may repair: a torn tail may be a write still under way.
   */
  static async open(file: string, opts: {warn?: Warn; pid?: number} = {}): Promise<EventStore> {
    const store = new EventStore(file)
    await fs.mkdir(path.dirname(file), {recursive: true, mode: 0o700})
    const pid = opts.pid ?? process.pid
    store.lock = await acquireReceiverLock(file, {pid, url: '', startedAt: new Date().toISOString()})
    try {
      await store.load(opts.warn)
    } catch (error) {
      await store.handle?.close()
      await store.lock.release()
      throw error
    }
    return store
  }

  /** Says in the claim where the receiver filling this store listens (for `send-callflow --wait` and a refused second receiver). */
  async announce(url: string, pid = process.pid): Promise<void> {
    await this.lock?.update({pid, url, startedAt: new Date().toISOString()})
  }

  private async load(warn?: Warn): Promise<void> {
    const file = this.file
    await this.repairTornTail(warn)
    await forEachLine(file, (buf, start, end, lineNo, torn) => {
      const key = keyAtStart(buf, start, end)
      if (key !== undefined) {
        this.keys.add(key)
        return
      }
      const ev = parseStoredLine({text: buf.toString('utf8', start, end), lineNo, torn}, file, warn)
      if (ev && typeof ev.key === 'string') this.keys.add(ev.key)
    })
    try {
      this.handle = await fs.open(file, 'a', 0o600)
    } catch (error) {
      throw invalidInput(`Cannot write to ${file}: ${unreadableReason(error)}.`, [STORE_HINT], 'FILE_UNWRITABLE')
    }
  }

  /** A crash mid-write leaves a last line without its newline; it was never acknowledged, so it is cut off. */
  private async repairTornTail(warn?: Warn): Promise<void> {
    const cut = await cutTornTail(this.file)
    if (cut > 0) warn?.(`${this.file} ended with an incomplete line (${cut} bytes, a write cut short by a crash); removed it. Every acknowledged event is intact.`)
  }

  has(key: string): boolean {
    return this.keys.has(key)
  }

  get size(): number {
    return this.keys.size
  }

  /**
   * Appends an event durably. Resolves {stored: false} for a duplicate (same key) once the original
   * is itself durable, so an acknowledgement never runs ahead of the disk.
   */
  /** `received`: the body as it came (see storeLine). */
  async append(ev: StoredEvent, received?: Buffer | string): Promise<{stored: boolean}> {
    if (this.closed) throw new Error('The store is closed.')
    if (this.keys.has(ev.key)) {
      await this.inFlight.get(ev.key)
      return {stored: false}
    }
    this.keys.add(ev.key)
    const line = storeLine(ev, received)
    const done = new Promise<void>((resolve, reject) => this.queue.push({line, resolve, reject}))
    this.inFlight.set(ev.key, done)
    void this.kick()
    try {
      await done
    } catch (error) {
      this.keys.delete(ev.key)
      throw error
    } finally {
      this.inFlight.delete(ev.key)
    }
    this.emit('event', ev)
    return {stored: true}
  }

  private kick(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.flushLoop().finally(() => {
        this.flushing = undefined
      })
    }
    return this.flushing
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      try {
        const buf = batch.length === 1 ? batch[0].line : Buffer.concat(batch.map((p) => p.line))
        let off = 0
        while (off < buf.length) off += (await this.handle!.write(buf, off, buf.length - off)).bytesWritten
        await this.handle!.datasync()
        for (const p of batch) p.resolve()
      } catch (error) {
        for (const p of batch) p.reject(error)
      }
    }
  }

  /** Waits for every pending append to be on disk. */
  async flush(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await this.kick()
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
    await this.handle?.close()
    this.handle = undefined
    await this.lock?.release()
    this.lock = undefined
  }
}
