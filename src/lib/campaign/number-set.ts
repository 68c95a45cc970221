/**
 * The numbers a contacts import has seen, each with the row it was first on: the duplicate check of
 * `campaign create`. A million numbers as a Map of strings cost about 100 MB; here an E.164 number
 * is its digits as one float (15 digits at most, exact below 2^53) in an open-addressing table of
 * typed arrays: 12 bytes a slot, about 24 MB for a million.
 */
export class NumberRows {
  private keys = new Float64Array(1 << 12)
  private rows = new Uint32Array(1 << 12)
  private count = 0
  /** What is not a normalised E.164 number (never, from readNumber; kept right rather than thrown). */
  private readonly others = new Map<string, number>()

  get size(): number {
    return this.count + this.others.size
  }

  /** The row `e164` was first seen on, if it was. */
  get(e164: string): number | undefined {
    const key = keyOf(e164)
    if (key === undefined) return this.others.get(e164)
    const at = this.slot(this.keys, key)
    return this.keys[at] === key ? this.rows[at] : undefined
  }

  set(e164: string, row: number): void {
    const key = keyOf(e164)
    if (key === undefined) return void this.others.set(e164, row)
    if ((this.count + 1) * 2 > this.keys.length) this.grow()
    const at = this.slot(this.keys, key)
    if (this.keys[at] !== key) this.count++
    this.keys[at] = key
    this.rows[at] = row
  }

  /** The slot holding `key`, or the empty slot where it would go (0 marks empty: no number is 0). */
  private slot(keys: Float64Array, key: number): number {
    const mask = keys.length - 1
    let at = hash(key) & mask
    while (keys[at] !== 0 && keys[at] !== key) at = (at + 1) & mask
    return at
  }

  private grow(): void {
    const {keys, rows} = this
    this.keys = new Float64Array(keys.length * 2)
    this.rows = new Uint32Array(keys.length * 2)
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 0) continue
      const at = this.slot(this.keys, keys[i])
      this.keys[at] = keys[i]
      this.rows[at] = rows[i]
    }
  }
}

/** +6591230001 → 6591230001. Normalised E.164 only: a + and 1 to 15 digits, the first not 0. */
function keyOf(e164: string): number | undefined {
  return /^\+[1-9]\d{0,14}$/.test(e164) ? Number(e164.slice(1)) : undefined
}

function hash(key: number): number {
  const lo = key >>> 0
  const hi = Math.floor(key / 4_294_967_296) >>> 0
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}
