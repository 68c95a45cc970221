// The duplicate check's compact table of numbers (campaign create with a million contacts).
import {expect} from 'chai'

import {NumberRows} from '../../../src/lib/campaign/number-set.js'

describe('campaign: NumberRows (numbers seen, with their first row)', () => {
  it('finds every number set, through many growths, and no number it was not given', () => {
    const rows = new NumberRows()
    const numbers = Array.from({length: 50_000}, (_, i) => `+65${8_000_000 + i * 13}`)
    numbers.forEach((n, i) => rows.set(n, i + 2))
    expect(rows.size).to.equal(numbers.length)
    numbers.forEach((n, i) => expect(rows.get(n)).to.equal(i + 2))
    expect(rows.get('+6580000001')).to.equal(undefined)
    expect(rows.get('+657999999')).to.equal(undefined)
  })

  it('tells apart numbers a prefix or a country apart, and the longest E.164 numbers', () => {
    const rows = new NumberRows()
    const set = ['+1', '+10', '+12025550100', '+112025550100', '+999999999999999', '+999999999999998']
    set.forEach((n, i) => rows.set(n, i + 10))
    set.forEach((n, i) => expect(rows.get(n), n).to.equal(i + 10))
    rows.set('+12025550100', 99)
    expect(rows.get('+12025550100')).to.equal(99)
    expect(rows.size).to.equal(set.length)
  })

  it('keeps what is not a normalised number too (never lost, never confused with a number)', () => {
    const rows = new NumberRows()
    rows.set('+6591230001', 2)
    rows.set('6591230001', 3)
    expect(rows.get('+6591230001')).to.equal(2)
    expect(rows.get('6591230001')).to.equal(3)
    expect(rows.size).to.equal(2)
  })
})
