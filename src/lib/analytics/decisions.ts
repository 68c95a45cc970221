/**
 * The decision log: one line per call action a menu answered (docs/analytics.md), the raw material
 * of `menu stats`, `menu graph --stats` and `report --html`. Append-only NDJSON, one file per
 * sub-account in the data folder:
 *   {"time":"…","session":"…","menu":"Restaurant reservations","version":"3f2a9c1e0b7d","node":"main","digits":"1","input":"choice","outcome":"menu","entered":["reservations"]}
 * Appends are grouped like the session store's: every decision waiting while a write + fdatasync
 * runs goes out in the next single write, so recording costs one syscall pair per batch, not per call.
 * Each batch is one write() on an O_APPEND file, so two servers recording into one file never
 * interleave inside a line.
 */
import {createHash} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {invalidInput, usageError} from '../errors.js'
import {unreadableReason} from '../input-file.js'
import type {MenuAnswer} from '../menu/answer.js'
import type {Menu, Step} from '../menu/model.js'
import type {AnswerRecorder} from '../menu/server.js'
import {storeFileFor} from '../sessions/store.js'

/** What the caller did: the call came in, a choice, keys that match none, nothing pressed, or a request the menu could not place. */
export const INPUTS = ['call', 'choice', 'invalid', 'no-input', 'unknown'] as const
export type DecisionInput = (typeof INPUTS)[number]
/** What the answer did: play another menu (and wait), hang up, transfer, or apologise and hang up. */
export const OUTCOMES = ['menu', 'hangup', 'transfer', 'apology'] as const
export type DecisionOutcome = (typeof OUTCOMES)[number]

export interface Decision {
  /** ISO time the answer was made. */
  time: string
  session: string | null
  /** The menu's name (or its file name when it has none). */
  menu: string
  /** menuFingerprint() of the menu version that answered. */
  version: string
  /** The node the caller was in (the clientActionId); null when the call came in. */
  node: string | null
  /** The keys pressed, as the platform sent them. */
  digits: string | null
  input: DecisionInput
  outcome: DecisionOutcome
  /** Nodes entered on the way, in order; with outcome `menu` the last is where the caller now is. */
  entered: string[]
}

// Remote strings are cut: a line stays small whatever a request carries.
const MAX_SESSION = 128
const MAX_DIGITS = 32

/** The decision one answer makes. */
export function decisionOf(answer: MenuAnswer, opts: {at: Date; sessionId?: string; digits?: string; menu: string; version: string}): Decision {
  const input: DecisionInput = answer.problem ? 'unknown'
    : answer.taken === 'call received' ? 'call'
      : answer.taken === 'invalid' ? 'invalid'
        : answer.taken === 'no input' ? 'no-input' : 'choice'
  return {
    time: opts.at.toISOString(),
    session: opts.sessionId === undefined ? null : String(opts.sessionId).slice(0, MAX_SESSION),
    menu: opts.menu,
    version: opts.version,
    node: answer.from ?? null,
    digits: opts.digits === undefined || opts.digits === '' ? null : String(opts.digits).slice(0, MAX_DIGITS),
    input,
    outcome: answer.resolution.outcome.kind,
    entered: answer.resolution.entered,
  }
}

/** The menu server's record hook writing into a log; `file` names decisions of a menu without a name. */
export function decisionRecorder(log: DecisionLog, file?: string): AnswerRecorder {
  return (menu, at, event, answer) => {
    void log.record(decisionOf(answer, {at, sessionId: event?.sessionId, digits: event?.digits, menu: menuLabel(menu, file), version: menuFingerprint(menu)}))
  }
}

// ---- the menu's version -----------------------------------------------------------------------

function stepShape(s: Step | undefined): unknown {
  return s === undefined ? null : [s.say ?? null, s.play ?? null, s.voice ?? null, s.speed ?? null, s.next]
}

const fingerprints = new WeakMap<Menu, string>()

/**
 * 12 hex characters that change when what callers hear or where keys lead changes, and not when
 * only the file's layout, comments or order of keys do: it is taken from the loaded menu.
 */
export function menuFingerprint(menu: Menu): string {
  const known = fingerprints.get(menu)
  if (known) return known
  const nodes = [...menu.nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((n) => [
    n.id, n.kind, n.say ?? null, n.play ?? null, n.voice, n.speed, n.capture,
    [...n.choices].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, s]) => [k, stepShape(s)]),
    stepShape(n.invalid), stepShape(n.noInput), stepShape(n.then), n.parent ?? null,
  ])
  const shape = JSON.stringify([menu.name ?? null, menu.entry, menu.apology, menu.transferFrom, nodes])
  const fp = createHash('sha256').update(shape).digest('hex').slice(0, 12)
  fingerprints.set(menu, fp)
  return fp
}

/** The name decisions are filed under: the menu's own, else its file's. */
export function menuLabel(menu: Menu, file?: string): string {
  return menu.name ?? (file ? path.basename(file) : 'menu')
}

// ---- where -------------------------------------------------------------------------------------

/** The sub-account's decision log in the data folder: decisions/<sub-account>.ndjson (named as its session store is). */
export function decisionsFileFor(dataDir: string, subAccountId: string): string {
  return path.join(dataDir, 'decisions', path.basename(storeFileFor(dataDir, subAccountId)))
}

/** The decision logs present in the data folder. */
export async function listDecisionFiles(dataDir: string): Promise<Array<{subAccountId: string; file: string}>> {
  const dir = path.join(dataDir, 'decisions')
  const names = await fs.readdir(dir).catch(() => [] as string[])
  return names.filter((n) => n.endsWith('.ndjson')).sort().map((n) => ({subAccountId: n.slice(0, -'.ndjson'.length), file: path.join(dir, n)}))
}

/**
 * Which decision log a reader uses: --decisions, else the sub-account's, else the only one there
 * is, else `default` (empty until something records).
 */
export async function chooseDecisionsFile(opts: {flag?: string; dataDir: string; account?: string}): Promise<string> {
  if (opts.flag) return path.resolve(opts.flag)
  if (opts.account) return decisionsFileFor(opts.dataDir, opts.account)
  const files = await listDecisionFiles(opts.dataDir)
  if (files.length === 1) return files[0].file
  if (files.length === 0) return decisionsFileFor(opts.dataDir, 'default')
  throw usageError(`There are decision logs for several sub-accounts (${files.map((f) => f.subAccountId).join(', ')}) and none is chosen.`, [
    'Choose one with --account ID (or IVR_ACCOUNT), or name a file with --decisions FILE.',
  ])
}

// ---- writing -------------------------------------------------------------------------------------

const LOG_HINT = 'Give another file with --record FILE, or --no-record to serve without keeping decisions.'

interface Pending {
  line: string
  resolve: () => void
}

/**
 * The writer. record() never rejects: a decision that cannot be written is reported through
 * onError (once per run of failures) and the caller is answered all the same.
 */
export class DecisionLog {
  readonly file: string
  private handle?: fs.FileHandle
  private queue: Pending[] = []
  private flushing?: Promise<void>
  private failing = false
  /** The file did not end with a newline when opened (a write cut short): the first batch starts a fresh line. */
  private needsNewline = false
  written = 0
  failed = 0
  /** Writes made (each one write + fdatasync). */
  batches = 0

  private constructor(file: string, private readonly onError: (message: string) => void) {
    this.file = file
  }

  /** Opens (creating, 0600, in a 0700 folder) for appending; an unwritable place is invalid input (exit 4). */
  static async open(file: string, opts: {onError?: (message: string) => void} = {}): Promise<DecisionLog> {
    const log = new DecisionLog(file, opts.onError ?? (() => {}))
    try {
      await fs.mkdir(path.dirname(file), {recursive: true, mode: 0o700})
      log.handle = await fs.open(file, 'a+', 0o600)
      const {size} = await log.handle.stat()
      if (size > 0) {
        const last = Buffer.alloc(1)
        await log.handle.read(last, 0, 1, size - 1)
        log.needsNewline = last[0] !== 10
      }
    } catch (error) {
      await log.handle?.close().catch(() => {})
      throw invalidInput(`Cannot record decisions in ${file}: ${unreadableReason(error)}.`, [LOG_HINT], 'FILE_UNWRITABLE')
    }
    return log
  }

  /** Appends one decision; resolves once it is on disk (or has failed, which onError reports). */
  record(d: Decision): Promise<void> {
    if (!this.handle) {
      this.failed++
      return Promise.resolve()
    }
    const line = `${JSON.stringify(d)}\n`
    const done = new Promise<void>((resolve) => this.queue.push({line, resolve}))
    this.flushing ??= this.flushLoop()
    return done
  }

  private async flushLoop(): Promise<void> {
    // `flushing` is cleared in the same turn as the last look at the queue (no await between them):
    // a decision queued after that starts a new loop, and none is left waiting.
    try {
      while (this.queue.length > 0 && this.handle) {
        const batch = this.queue
        this.queue = []
        this.batches++
        let text = batch.length === 1 ? batch[0].line : batch.map((p) => p.line).join('')
        if (this.needsNewline) text = `\n${text}`
        try {
          const buf = Buffer.from(text)
          let off = 0
          while (off < buf.length) off += (await this.handle.write(buf, off, buf.length - off)).bytesWritten
          await this.handle.datasync()
          this.needsNewline = false
          this.written += batch.length
          this.failing = false
        } catch (error) {
          this.failed += batch.length
          // A partial write leaves a line without its end: the next batch starts on a new line.
          this.needsNewline = true
          if (!this.failing) this.onError(`Could not record ${batch.length} decision${batch.length === 1 ? '' : 's'} in ${this.file}: ${unreadableReason(error)}. Still answering calls.`)
          this.failing = true
        }
        for (const p of batch) p.resolve()
      }
    } finally {
      this.flushing = undefined
    }
  }

  /** Waits for every decision recorded so far to be on disk. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  async close(): Promise<void> {
    await this.flush()
    await this.handle?.close()
    this.handle = undefined
    for (const p of this.queue.splice(0)) p.resolve()
  }
}
