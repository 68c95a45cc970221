import {expect} from 'chai'

import {parseDurationMs, parseTimeoutMs} from '../../src/lib/duration.js'

describe('parseDurationMs', () => {
  it('reads compact, compound and worded durations', () => {
    expect(parseDurationMs('90s')).to.equal(90_000)
    expect(parseDurationMs('10m')).to.equal(600_000)
    expect(parseDurationMs('1h30m')).to.equal(5_400_000)
    expect(parseDurationMs('2w')).to.equal(14 * 86_400_000)
    expect(parseDurationMs('7 days')).to.equal(7 * 86_400_000)
    expect(parseDurationMs('500ms')).to.equal(500)
    expect(parseDurationMs(' 36H ')).to.equal(36 * 3_600_000)
  })

  it('refuses what is not a duration, including a bare number', () => {
    for (const t of ['', '10', 'soon', '10 parsecs', '1h 30m', 'm5']) expect(parseDurationMs(t), t).to.equal(undefined)
  })

  it('reads a timeout as a duration or a bare number of seconds', () => {
    expect(parseTimeoutMs('10')).to.equal(10_000)
    expect(parseTimeoutMs(' 2.5 ')).to.equal(2500)
    expect(parseTimeoutMs('5m')).to.equal(300_000)
    expect(parseTimeoutMs('soon')).to.equal(undefined)
  })
})
