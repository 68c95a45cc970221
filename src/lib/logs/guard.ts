/**
 * The export files `ivr logs download` saves pass through the tool's one formula guard
 * (render/csv.ts isFormulaLike), as every CSV the tool writes does: a cell a spreadsheet would run
 * as a formula (a caller id such as `=HYPERLINK(…)` or `-2+3+cmd|…`) gets a leading apostrophe,
 * inside its quotes when quoted. Every other byte stays as the platform sent it (quoting, line
 * ends, encoding), so the file still reads the same everywhere else.
 *
 * The download itself (`.part`) keeps the platform's bytes, which is what a Range request resumes;
 * the guarded file is written from it once it is whole.
 */
import {createReadStream, createWriteStream, promises as fs} from 'node:fs'
import {Transform, type TransformCallback} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip, createGzip} from 'node:zlib'

import {isFormulaLike} from '../render/csv.js'

const QUOTE = 34
const COMMA = 44
const LF = 10
const CR = 13
const APOSTROPHE = Buffer.from("'")

/** Whether a cell starting with this byte may be formula-like: a formula character, whitespace, or not ASCII. */
const mayStartFormula = (b: number) => b === 61 || b === 43 || b === 45 || b === 64 || b <= 32 || b >= 128

/** The index of the next `,` or line feed from `from`, or -1. */
function nextDelimiter(data: Buffer, from: number): number {
  for (let i = from; i < data.length; i++) if (data[i] === COMMA || data[i] === LF) return i
  return -1
}

/** A streaming pass over RFC 4180 CSV that adds the apostrophe to formula-like cells; counts them. */
export class CsvFormulaGuard extends Transform {
  guarded = 0
  private carry = Buffer.alloc(0)

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    const used = this.scan(data, false)
    this.carry = Buffer.from(data.subarray(used))
    done()
  }

  override _flush(done: TransformCallback): void {
    if (this.carry.length > 0) this.scan(this.carry, true)
    done()
  }

  /** Passes on every whole cell of `data`; returns where the first unfinished one starts. */
  private scan(data: Buffer, final: boolean): number {
    const n = data.length
    let emitted = 0
    let i = 0
    while (i < n) {
      let end: number
      let value: (() => string) | undefined
      if (data[i] === QUOTE) {
        // A quoted cell: its closing quote (a doubled one is a quote inside), then its delimiter.
        let j = i + 1
        let close = -1
        for (;;) {
          const q = data.indexOf(QUOTE, j)
          if (q === -1 || (q === n - 1 && !final)) break
          if (data[q + 1] === QUOTE) {
            j = q + 2
            continue
          }
          close = q
          break
        }
        if (close === -1) {
          if (!final) break
          close = n
        }
        end = close >= n ? -1 : nextDelimiter(data, close + 1)
        const from = i + 1
        if (mayStartFormula(data[from])) value = () => data.toString('utf8', from, close).replace(/""/g, '"')
      } else {
        end = nextDelimiter(data, i)
        const stop = end === -1 ? n : end
        const from = i
        // A CR before the line feed ends the line, not the cell.
        if (stop > from && mayStartFormula(data[from])) value = () => data.toString('utf8', from, data[stop] === LF && data[stop - 1] === CR ? stop - 1 : stop)
      }
      if (end === -1 && !final) break
      const contentStart = data[i] === QUOTE ? i + 1 : i
      if (value && isFormulaLike(value())) {
        this.push(data.subarray(emitted, contentStart))
        this.push(APOSTROPHE)
        emitted = contentStart
        this.guarded++
      }
      i = end === -1 ? n : end + 1
    }
    if (i > emitted) this.push(data.subarray(emitted, i))
    return i
  }
}

export type ExportFormat = 'csv' | 'gzip' | 'zip'

async function formatOf(file: string): Promise<ExportFormat> {
  const fh = await fs.open(file, 'r')
  try {
    const head = Buffer.alloc(4)
    const {bytesRead} = await fh.read(head, 0, 4, 0)
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip'
    return 'csv'
  } finally {
    await fh.close()
  }
}

/**
 * Writes `from` (an export file as downloaded) to `to` through the guard: CSV as it is, gzip
 * unpacked and packed again. A zip archive is copied as it is (no zip support in the tool): its
 * cells are not guarded, which the caller says. Returns how many cells were guarded.
 */
export async function guardExportFile(from: string, to: string): Promise<{format: ExportFormat; guarded: number}> {
  const format = await formatOf(from)
  const out = createWriteStream(to, {mode: 0o600})
  if (format === 'zip') {
    await pipeline(createReadStream(from), out)
    return {format, guarded: 0}
  }
  const guard = new CsvFormulaGuard()
  if (format === 'gzip') await pipeline(createReadStream(from), createGunzip(), guard, createGzip(), out)
  else await pipeline(createReadStream(from), guard, out)
  return {format, guarded: guard.guarded}
}
