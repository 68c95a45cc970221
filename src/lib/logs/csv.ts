/**
 * A streaming CSV reader (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks;
 * LF or CRLF), fed text chunks of any size. Written for the export files, which run to millions of
 * rows: a line without quotes, the common case, is cut with one split; only lines with quotes take
 * the slow path. Lenient where files are sloppy: a stray quote inside an unquoted field is kept as
 * text, and an unterminated quote at the very end yields what was read.
 */
export class CsvReader {
  private rest = ''
  /**
   * When set, a record from the fast path carries only these columns (the others stay undefined) and
   * stops at the last one wanted: cutting out 8 fields of 35 is much cheaper than all of them.
   */
  private pick: boolean[] | undefined
  private lastPicked = -1

  /** Restricts later records to the given column indexes (undefined: all columns again). */
  select(columns: number[] | undefined): void {
    if (!columns || columns.length === 0) {
      this.pick = undefined
      this.lastPicked = -1
      return
    }
    this.lastPicked = Math.max(...columns)
    this.pick = Array.from({length: this.lastPicked + 1}, (_, i) => columns.includes(i))
  }

  constructor(private readonly onRecord: (fields: string[]) => void) {}

  push(chunk: string): void {
    const text = this.rest === '' ? chunk : this.rest + chunk
    this.rest = ''
    this.rest = text.slice(this.consume(text, false))
  }

  end(): void {
    const text = this.rest
    this.rest = ''
    if (text !== '') this.consume(text.endsWith('\n') ? text : `${text}\n`, true)
  }

  /** Reads whole records from text; returns where the unfinished tail begins. */
  private consume(text: string, final: boolean): number {
    const n = text.length
    let i = 0
    let quote = text.indexOf('"')
    while (i < n) {
      const nl = text.indexOf('\n', i)
      if (nl === -1) break
      if (quote !== -1 && quote < i) quote = text.indexOf('"', i)
      if (quote === -1 || quote > nl) {
        const end = nl > i && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
        if (end > i) this.onRecord(this.pick ? this.picked(text, i, end) : text.slice(i, end).split(','))
        i = nl + 1
        continue
      }
      const next = this.quotedRecord(text, i, final)
      if (next === -1) break
      i = next
    }
    return i
  }

  /** The wanted fields of a line without quotes, between start and end. */
  private picked(text: string, start: number, end: number): string[] {
    const pick = this.pick!
    const last = this.lastPicked
    const out: string[] = new Array(last + 1)
    let pos = start
    for (let k = 0; k <= last; k++) {
      let comma = text.indexOf(',', pos)
      if (comma === -1 || comma > end) comma = end
      if (pick[k]) out[k] = text.slice(pos, comma)
      if (comma === end) break
      pos = comma + 1
    }
    return out
  }

  /** One record that holds a quote, from `start`; returns the index after it, or -1 if it is not all here yet. */
  private quotedRecord(text: string, start: number, final: boolean): number {
    const n = text.length
    const fields: string[] = []
    let pos = start
    for (;;) {
      let value = ''
      if (text.charCodeAt(pos) === 34) {
        let from = pos + 1
        for (;;) {
          const q = text.indexOf('"', from)
          if (q === -1 || (q === n - 1 && !final)) {
            if (!final) return -1
            // Unterminated at the end of the input: keep what there is.
            this.onRecord([...fields, value + text.slice(from).replace(/\r?\n$/, '')])
            return n
          }
          value += text.slice(from, q)
          if (text.charCodeAt(q + 1) === 34) {
            value += '"'
            from = q + 2
            continue
          }
          pos = q + 1
          break
        }
      }
      // The unquoted part (all of an unquoted field, or junk after a closing quote).
      let comma = text.indexOf(',', pos)
      let nl = text.indexOf('\n', pos)
      if (nl === -1) {
        if (!final) return -1
        nl = n
      }
      if (comma === -1) comma = n
      const stop = Math.min(comma, nl)
      let tail = text.slice(pos, stop)
      if (stop === nl && tail.endsWith('\r')) tail = tail.slice(0, -1)
      fields.push(value + tail)
      if (stop === nl) {
        if (fields.length > 1 || fields[0] !== '') this.onRecord(fields)
        return nl + 1
      }
      pos = comma + 1
    }
  }
}
