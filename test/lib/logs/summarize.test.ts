import {assert, expect} from 'chai'
import {mkdtempSync, promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {Readable} from 'node:stream'
import {gzipSync} from 'node:zlib'

import {IvrError} from '../../../src/lib/errors.js'
import {dayOf, summarizeFiles} from '../../../src/lib/logs/summarize.js'

const HEADER = ['SessionId', 'CallId', 'DestinationCountryCode', 'DestinationCountry', 'InitiatedAt', 'ConnectedAt', 'DurationInSec', 'Product',
  'BillableDurationInSec', 'UnitPrice', 'UnitPriceCurrency', 'TotalPriceOfCall', 'SessionStatus', 'CallStatus', 'Content']

interface Leg {day: string; country: string; product: string; currency: string; answered: boolean; billable: number; priceTenThousandths: number}

/** Legs from a small deterministic generator; the test's own arithmetic below is the expected answer. */
function legs(n: number): Leg[] {
  const countries = ['Singapore', 'Philippines', "Côte d'Ivoire", 'United Kingdom']
  const out: Leg[] = []
  let seed = 7
  const rnd = (m: number) => Math.floor((seed = (seed * 1103515245 + 12345) % 2147483648) / 65536) % m
  for (let i = 0; i < n; i++) {
    const answered = rnd(4) !== 0
    const billable = answered ? (1 + rnd(5)) * 60 : 0
    out.push({
      day: `2026-11-${String(10 + rnd(5)).padStart(2, '0')}`, country: countries[rnd(4)], product: rnd(3) === 0 ? 'VoiceIVR' : 'VoiceCallflow',
      currency: rnd(10) === 0 ? 'EUR' : 'USD', answered, billable, priceTenThousandths: answered ? (billable / 60) * (100 + rnd(50)) : 0,
    })
  }
  return out
}

function csv(rows: Leg[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  const lines = [HEADER.join(',')]
  rows.forEach((l, i) => {
    lines.push([`s${i}`, `c${i}`, '65', q(l.country), `${l.day}T08:00:00Z`, l.answered ? `${l.day}T08:00:04Z` : '', l.billable, l.product, l.billable, '0.0123',
      l.currency, (l.priceTenThousandths / 10_000).toFixed(4), l.answered ? 'COMPLETED' : 'NO_ANSWER', l.answered ? 'COMPLETED' : 'NO_ANSWER',
      i % 7 === 0 ? q('[{"action":"say","params":{"text":"Hello,\nworld"}}]') : ''].join(','))
  })
  return lines.join('\r\n') + '\r\n'
}

function expected(rows: Leg[], key?: (l: Leg) => string) {
  const groups = new Map<string, {calls: number; answered: number; billableSeconds: number; cost: Map<string, number>}>()
  for (const l of rows) {
    const k = key ? key(l) : 'all'
    const g = groups.get(k) ?? {calls: 0, answered: 0, billableSeconds: 0, cost: new Map()}
    g.calls++
    if (l.answered) g.answered++
    g.billableSeconds += l.billable
    g.cost.set(l.currency, (g.cost.get(l.currency) ?? 0) + l.priceTenThousandths)
    groups.set(k, g)
  }
  return groups
}

describe('logs summarize (lib)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ivr-sum-'))
  const data = legs(2500)
  const a = path.join(dir, 'part-1.csv')
  const b = path.join(dir, 'part-2.csv.gz')
  before(async () => {
    await fs.writeFile(a, '\uFEFF' + csv(data.slice(0, 1200)))
    await fs.writeFile(b, gzipSync(csv(data.slice(1200))))
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  it('adds up calls, answered, billable minutes and cost per currency over several files (gzip too)', async () => {
    const s = await summarizeFiles([a, b])
    const all = expected(data).get('all')!
    expect(s.calls).to.equal(2500)
    expect(s.answered).to.equal(all.answered)
    expect(s.billableSeconds).to.equal(all.billableSeconds)
    expect(s.billableMinutes).to.equal(Math.round((all.billableSeconds / 60) * 100) / 100)
    const cost = Object.fromEntries(s.cost.map((m) => [m.currency, m.amount]))
    expect(cost).to.deep.equal({USD: all.cost.get('USD')! / 10_000, EUR: all.cost.get('EUR')! / 10_000})
    expect(s.warnings).to.deep.equal([])
  })

  it('groups by day, destination country (UTF-8 names intact) and product', async () => {
    const s = await summarizeFiles([a, b])
    for (const [name, rows, key] of [['byDay', s.byDay, (l: Leg) => l.day], ['byCountry', s.byCountry, (l: Leg) => l.country], ['byProduct', s.byProduct, (l: Leg) => l.product]] as const) {
      const want = expected(data, key)
      expect(rows.map((r) => r.key).sort(), name).to.deep.equal([...want.keys()].sort())
      for (const r of rows) {
        const w = want.get(r.key)!
        expect([r.calls, r.answered, r.billableSeconds], `${name} ${r.key}`).to.deep.equal([w.calls, w.answered, w.billableSeconds])
        expect(Object.fromEntries(r.cost.map((m) => [m.currency, m.amount]))).to.deep.equal(Object.fromEntries([...w.cost].map(([c, v]) => [c, v / 10_000])))
      }
    }
    expect(s.byDay.map((r) => r.key)).to.deep.equal([...s.byDay.map((r) => r.key)].sort())
    expect(s.byCountry.map((r) => r.key)).to.include("Côte d'Ivoire")
  })

  it('reads a stream for "-", unpacking gzip when the first bytes say so', async () => {
    const text = csv(data.slice(0, 300))
    for (const bytes of [Buffer.from(text), gzipSync(text)]) {
      // Chunks of 1 KB: the gzip header and the CSV lines are cut anywhere.
      const chunks = Array.from({length: Math.ceil(bytes.length / 1024)}, (_, i) => bytes.subarray(i * 1024, (i + 1) * 1024))
      const s = await summarizeFiles(['-'], {stdin: Readable.from(chunks)})
      expect(s.files).to.deep.equal(['(stdin)'])
      expect([s.calls, s.answered]).to.deep.equal([300, data.slice(0, 300).filter((l) => l.answered).length])
    }
  })

  it('refuses a file that is not an export, and a missing file, with their exit codes', async () => {
    const other = path.join(dir, 'numbers.csv')
    await fs.writeFile(other, 'MSISDN,Country\n+6512345678,SG\n')
    let err: unknown = await summarizeFiles([other]).catch((error) => error)
    assert.instanceOf(err, IvrError)
    expect(err.exitCode).to.equal(4)
    expect(err.message).to.contain('does not look like a call log export')
    err = await summarizeFiles([path.join(dir, 'nope.csv')]).catch((error) => error)
    assert.instanceOf(err, IvrError)
    expect(err.exitCode).to.equal(4)
    expect(err.message).to.contain('nope.csv: no such file')
  })

  it('warns about missing columns instead of inventing numbers', async () => {
    const partial = path.join(dir, 'partial.csv')
    await fs.writeFile(partial, 'InitiatedAt,CallStatus\n2026-11-20T10:00:00Z,COMPLETED\n2026-11-20T11:00:00Z,BUSY\n')
    const s = await summarizeFiles([partial])
    expect([s.calls, s.answered, s.billableSeconds]).to.deep.equal([2, 1, 0])
    expect(s.cost).to.deep.equal([])
    expect(s.warnings.join(' ')).to.contain('TotalPriceOfCall').and.contain('BillableDurationInSec')
  })

  it('reads the day of a timestamp in UTC whatever its form', () => {
    expect(dayOf('2026-11-20T23:30:00Z')).to.equal('2026-11-20')
    expect(dayOf('2026-11-20T23:30:00.123Z')).to.equal('2026-11-20')
    expect(dayOf('2026-11-21T01:30:00+07:00')).to.equal('2026-11-20')
    expect(dayOf('2026-11-20 10:00:00')).to.equal('2026-11-20')
    expect(dayOf(String(Date.UTC(2026, 10, 23, 12) / 1000))).to.equal('2026-11-23')
    expect(dayOf('')).to.equal('(unknown)')
  })
})
