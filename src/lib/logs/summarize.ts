import {createReadStream, promises as fs} from 'node:fs'
import {createGunzip} from 'node:zlib'

import {ExitCode, IvrError, invalidInput} from '../errors.js'
import {safeLine} from '../render/safe.js'
import {CsvReader} from './csv.js'
import {unreadableReason} from '../input-file.js'

/** An amount of money in one currency. */
export interface Money {
  currency: string
  amount: number
}

export interface Totals {
  /** Rows of the export: one per call leg. */
  calls: number
  /** Legs that were connected (ConnectedAt set; without that column, CallStatus COMPLETED). */
  answered: number
  billableSeconds: number
  billableMinutes: number
  /** Sum of TotalPriceOfCall per UnitPriceCurrency, largest first. */
  cost: Money[]
}

export interface GroupTotals extends Totals {
  key: string
}

export interface LogSummary extends Totals {
  files: string[]
  byDay: GroupTotals[]
  byCountry: GroupTotals[]
  byProduct: GroupTotals[]
  /** Things the reader noticed: missing columns, rows it could not read. */
  warnings: string[]
}

/** Money is summed in millionths, as integers: a million rows of 0.0123 add up exactly. */
const MICRO = 1_000_000
const UNKNOWN = '(unknown)'

class Acc {
  calls = 0
  answered = 0
  billableSeconds = 0
  readonly cost = new Map<string, number>()

  add(answered: boolean, billable: number, currency: string, micros: number): void {
    this.calls++
    if (answered) this.answered++
    this.billableSeconds += billable
    if (micros !== 0 || !this.cost.has(currency)) this.cost.set(currency, (this.cost.get(currency) ?? 0) + micros)
  }

  totals(): Totals {
    const cost = [...this.cost].filter(([c, m]) => m !== 0 || c !== UNKNOWN)
      .map(([currency, micros]) => ({currency, amount: micros / MICRO}))
      .sort((a, b) => b.amount - a.amount || a.currency.localeCompare(b.currency))
    const billableSeconds = Math.round(this.billableSeconds * 1000) / 1000
    return {calls: this.calls, answered: this.answered, billableSeconds, billableMinutes: Math.round((billableSeconds / 60) * 100) / 100, cost}
  }
}

/** A column name as the reader compares it: letters and digits, lower case (casing varies between exports). */
const norm = (name: string) => name.replace(/^\uFEFF/, '').toLowerCase().replace(/[^a-z0-9]/g, '')

const COLUMNS = {
  initiated: ['initiatedat', 'initiatedtimestamp', 'starttime'],
  connected: ['connectedat', 'connectedtimestamp'],
  callStatus: ['callstatus'],
  sessionStatus: ['sessionstatus'],
  country: ['destinationcountry'],
  countryCode: ['destinationcountrycode'],
  product: ['product'],
  billable: ['billabledurationinsec', 'billableduration'],
  price: ['totalpriceofcall', 'totalprice'],
  currency: ['unitpricecurrency', 'currency'],
} as const
type ColumnKey = keyof typeof COLUMNS

const isBlank = (s: string | undefined) => s === undefined || s === '' || s === 'null' || s === 'NULL'

/** `yyyy-MM-dd` (UTC) of a timestamp as exports write it: ISO with Z, offset or no zone, a space for the T, or epoch seconds/ms. */
export function dayOf(value: string | undefined): string {
  if (isBlank(value)) return UNKNOWN
  const s = value!
  // The common case first: ISO in UTC (2026-11-20T10:00:00Z or with milliseconds).
  if ((s.length === 20 || s.length === 24) && s.charCodeAt(s.length - 1) === 90 && s.charCodeAt(4) === 45) return s.slice(0, 10)
  return dayOfSlow(s.trim())
}

function dayOfSlow(s: string): string {
  if (s.length >= 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    // Only an explicit offset can move the day; Z and zone-less times are UTC already.
    if (s.length > 19 && /[+-]\d{2}:?\d{2}$/.test(s)) {
      const d = new Date(s.replace(' ', 'T'))
      if (!Number.isNaN(d.getTime())) return d.toISOString().slice(0, 10)
    }
    return s.slice(0, 10)
  }
  if (/^\d{9,13}$/.test(s)) {
    const n = Number(s)
    return new Date(n < 1e11 ? n * 1000 : n).toISOString().slice(0, 10)
  }
  return UNKNOWN
}

/** Adds export rows up; feed it records (header first), then read result(). */
export class LogSummarizer {
  private readonly total = new Acc()
  private readonly days = new Map<string, Acc>()
  private readonly countries = new Map<string, Acc>()
  private readonly products = new Map<string, Acc>()
  private readonly warnings = new Set<string>()
  private readonly files: string[] = []
  private idx: Partial<Record<ColumnKey, number>> = {}
  private header: string[] | undefined
  private badNumbers = 0

  get hasHeader(): boolean {
    return this.header !== undefined
  }

  /** The column indexes the summary reads (after the header). */
  wantedColumns(): number[] {
    return Object.values(this.idx).filter((i): i is number => i !== undefined)
  }

  /** Starts a new file: its first record is read as its header. */
  beginFile(name: string): void {
    this.files.push(name)
    this.header = undefined
  }

  record = (fields: string[]): void => {
    if (!this.header) return this.readHeader(fields)
    const ix = this.idx
    const connected = ix.connected === undefined ? undefined : fields[ix.connected]
    const answered = ix.connected === undefined
      ? ((ix.callStatus === undefined ? undefined : fields[ix.callStatus]) ?? (ix.sessionStatus === undefined ? undefined : fields[ix.sessionStatus]) ?? '').toUpperCase() === 'COMPLETED'
      : !isBlank(connected)
    const billable = ix.billable === undefined ? 0 : this.number(fields[ix.billable])
    const micros = ix.price === undefined ? 0 : Math.round(this.number(fields[ix.price]) * MICRO)
    const currency = this.label(ix.currency === undefined ? undefined : fields[ix.currency], true)
    const country = this.label(ix.country === undefined ? undefined : fields[ix.country], false, ix.countryCode === undefined ? undefined : fields[ix.countryCode])
    const product = this.label(ix.product === undefined ? undefined : fields[ix.product], false)
    const day = dayOf(ix.initiated === undefined ? connected : fields[ix.initiated])
    this.total.add(answered, billable, currency, micros)
    group(this.days, day).add(answered, billable, currency, micros)
    group(this.countries, country).add(answered, billable, currency, micros)
    group(this.products, product).add(answered, billable, currency, micros)
  }

  /** A group label: trimmed (upper case for currencies), the fallback when blank, UNKNOWN when both are. */
  private label(value: string | undefined, upper: boolean, fallback?: string): string {
    if (isBlank(value)) return fallback === undefined ? UNKNOWN : this.label(fallback, upper)
    const v = value!
    if (v.charCodeAt(0) > 32 && v.charCodeAt(v.length - 1) > 32 && !upper) return v
    return upper ? v.trim().toUpperCase() : v.trim()
  }

  private number(value: string | undefined): number {
    if (isBlank(value)) return 0
    const n = Number(value)
    if (Number.isFinite(n)) return n
    this.badNumbers++
    return 0
  }

  private readHeader(fields: string[]): void {
    this.header = fields
    const names = fields.map(norm)
    const idx: Partial<Record<ColumnKey, number>> = {}
    for (const [key, aliases] of Object.entries(COLUMNS) as Array<[ColumnKey, readonly string[]]>) {
      const i = names.findIndex((n) => aliases.includes(n))
      if (i !== -1) idx[key] = i
    }
    const file = this.files.at(-1) ?? 'the file'
    if (idx.billable === undefined && idx.price === undefined && idx.initiated === undefined) {
      throw invalidInput(`${safeLine(file)} does not look like a call log export: none of BillableDurationInSec, TotalPriceOfCall, InitiatedAt in its header.`,
        ['Summarize the CSV files `ivr logs export` or `ivr logs download` wrote.'], 'NOT_AN_EXPORT')
    }
    for (const [key, label] of [['price', 'TotalPriceOfCall (no costs)'], ['billable', 'BillableDurationInSec (no billable minutes)'], ['currency', 'UnitPriceCurrency (costs without currency)'], ['initiated', 'InitiatedAt (no days)']] as const) {
      if (idx[key] === undefined) this.warnings.add(`${safeLine(file)} has no column ${label}.`)
    }
    this.idx = idx
  }

  result(): LogSummary {
    if (this.badNumbers > 0) this.warnings.add(`${this.badNumbers} number${this.badNumbers === 1 ? '' : 's'} could not be read and counted as 0.`)
    const groups = (m: Map<string, Acc>, order: 'key' | 'calls') => {
      const rows = [...m].map(([key, acc]) => ({key: keyText(key), ...acc.totals()}))
      return order === 'key' ? rows.sort((a, b) => a.key.localeCompare(b.key)) : rows.sort((a, b) => b.calls - a.calls || a.key.localeCompare(b.key))
    }
    return {
      files: [...this.files],
      ...this.total.totals(),
      byDay: groups(this.days, 'key'),
      byCountry: groups(this.countries, 'calls'),
      byProduct: groups(this.products, 'calls'),
      warnings: [...this.warnings],
    }
  }
}

/** A key read as latin1 bytes, decoded as the UTF-8 it is (only when it holds non-ASCII bytes). */
function keyText(key: string): string {
  return /[\u0080-\u00FF]/.test(key) ? Buffer.from(key, 'latin1').toString('utf8') : key
}

function group(m: Map<string, Acc>, key: string): Acc {
  let acc = m.get(key)
  if (!acc) m.set(key, (acc = new Acc()))
  return acc
}

/**
 * Feeds CSV bytes (already unpacked) into a summarizer. The bytes are read as latin1, one character per
 * byte: the CSV syntax is ASCII and UTF-8 never hides an ASCII byte inside a character, so parsing is
 * exact, and decoding is left to the few names that end up as group keys (see keyText).
 */
export async function summarizeStream(input: AsyncIterable<Buffer>, summarizer: LogSummarizer): Promise<void> {
  const reader: CsvReader = new CsvReader((fields) => {
    const first = !summarizer.hasHeader
    summarizer.record(fields)
    if (first) reader.select(summarizer.wantedColumns())
  })
  for await (const chunk of input) reader.push(chunk.toString('latin1'))
  reader.end()
}

/** Unpacks gzip on the way when the first bytes say so (1f 8b); passes anything else through. */
async function* unpacked(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let gunzip: ReturnType<typeof createGunzip> | undefined
  let out: Buffer[] = []
  let failed: unknown
  for await (const chunk of source) {
    if (!gunzip && out.length === 0 && chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
      gunzip = createGunzip()
      gunzip.on('data', (b: Buffer) => out.push(b))
      gunzip.on('error', (error) => (failed = error))
    }
    if (!gunzip) {
      yield chunk
      continue
    }
    if (!gunzip.write(chunk)) await new Promise<void>((r) => gunzip!.once('drain', () => r()))
    if (failed) throw failed
    const ready = out
    out = []
    yield* ready
  }
  if (gunzip) {
    await new Promise<void>((resolve, reject) => {
      gunzip!.once('end', () => resolve())
      gunzip!.once('error', reject)
      gunzip!.end()
    })
    if (failed) throw failed
    yield* out
  }
}

/**
 * Summarizes export CSV files (plain or gzip), each streamed: memory stays flat for millions of rows.
 * `-` stands for `stdin` when one is given.
 */
export async function summarizeFiles(files: string[], opts: {stdin?: AsyncIterable<Buffer>} = {}): Promise<LogSummary> {
  const summarizer = new LogSummarizer()
  for (const file of files) {
    const fromStdin = file === '-' && opts.stdin !== undefined
    if (!fromStdin) {
      const st = await fs.stat(file).catch((error: unknown) => error as Error)
      const hint = 'Give the CSV files of an export (ivr logs export writes them).'
      if (st instanceof Error) throw invalidInput(`Cannot read ${safeLine(file)}: ${unreadableReason(st)}.`, [hint], 'FILE_UNREADABLE')
      if (!st.isFile()) throw invalidInput(`Cannot read ${safeLine(file)}: it is not a file.`, [hint], 'FILE_UNREADABLE')
    }
    summarizer.beginFile(fromStdin ? '(stdin)' : file)
    try {
      await summarizeStream(unpacked(fromStdin ? opts.stdin! : createReadStream(file, {highWaterMark: 1 << 16})), summarizer)
    } catch (error) {
      if (error instanceof IvrError) throw error
      const e = error as NodeJS.ErrnoException | undefined
      if (e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR') throw invalidInput(`${safeLine(file)} is not valid gzip data.`)
      throw new IvrError(`Could not read ${safeLine(file)}: ${safeLine(e?.message ?? String(error))}`, {code: 'READ_FAILED', exitCode: ExitCode.UNEXPECTED})
    }
  }
  return summarizer.result()
}
