import {assert, expect} from 'chai'

import {IvrError} from '../../../src/lib/errors.js'
import {parseDateInput, parseDuration, resolveRange} from '../../../src/lib/logs/dates.js'

const now = new Date('2026-11-23T21:30:15.500Z')
const parse = (text: string) => parseDateInput(text, {now, flag: 'from'})

describe('logs dates', () => {
  it('passes the API forms through, normalised to what the API documents', () => {
    expect(parse('2026-11-20')).to.include({api: '2026-11-20', kind: 'day'})
    expect(parse('2026-11-20').at.toISOString()).to.equal('2026-11-20T00:00:00.000Z')
    expect(parse('2026-11-20T13:00:00Z').api).to.equal('2026-11-20T13:00:00Z')
    // A time without a zone is UTC for the API; we write the Z.
    expect(parse('2026-11-20T13:00:00').api).to.equal('2026-11-20T13:00:00Z')
    expect(parse('2026-11-20 13:05').api).to.equal('2026-11-20T13:05:00Z')
    const offset = parse('2026-11-20T13:00:00+0700')
    expect(offset.api).to.equal('2026-11-20T13:00:00+07:00')
    expect(offset.at.toISOString()).to.equal('2026-11-20T06:00:00.000Z')
  })

  it('reads friendly forms relative to now (UTC days)', () => {
    expect(parse('today').api).to.equal('2026-11-23')
    expect(parse('yesterday').api).to.equal('2026-11-22')
    expect(parse('now').api).to.equal('2026-11-23T21:30:15Z')
    expect(parse('7d').api).to.equal('2026-11-16T21:30:15Z')
    expect(parse('36h').api).to.equal('2026-11-22T09:30:15Z')
    expect(parse('2 weeks ago').api).to.equal('2026-11-09T21:30:15Z')
    expect(parseDuration('90m')).to.equal(90 * 60_000)
    expect(parseDuration('fortnight')).to.equal(undefined)
  })

  it('rejects what is not a date with exit 4 and the accepted forms', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '20/11/2026', 'last tuesday', '2026-11-20T25:00:00Z']) {
      let err: unknown
      try {
        parse(bad)
      } catch (error) {
        err = error
      }
      expect(err, bad).to.include({exitCode: 4})
      assert.instanceOf(err, IvrError, bad)
      expect(err.message).to.contain('--from')
      expect(err.suggestions.join(' ')).to.contain('yesterday')
    }
  })

  it('checks from < to before anything is asked; a day as the end runs to its last moment', () => {
    expect(() => resolveRange({from: '2026-11-20', to: '2026-11-19'}, now)).to.throw(/not before --to/)
    expect(() => resolveRange({from: '2026-11-20T10:00:00Z', to: '2026-11-20T09:00:00Z'}, now)).to.throw(/not before --to/)
    expect(resolveRange({from: '2026-11-20', to: '2026-11-20'}, now).description).to.equal('2026-11-20 → 2026-11-20')
    expect(resolveRange({from: '2026-11-20T23:00:00Z', to: '2026-11-20'}, now).to?.api).to.equal('2026-11-20')
    try {
      resolveRange({from: '2026-11-21', to: '2026-11-20'}, now)
      expect.fail('no error')
    } catch (error) {
      assert.instanceOf(error, IvrError)
      expect(error.exitCode).to.equal(4)
      expect(error.code).to.equal('BAD_RANGE')
    }
    expect(() => resolveRange({from: '2026-11-20', since: '7d'}, now)).to.throw(/not both/)
  })

  it('fills the missing end: now after a start, 7 days before an end', () => {
    expect(resolveRange({}, now)).to.deep.equal({description: 'the last 7 days (the API default)'})
    const since = resolveRange({since: '7d'}, now)
    expect([since.from?.api, since.to?.api]).to.deep.equal(['2026-11-16T21:30:15Z', '2026-11-23T21:30:15Z'])
    const until = resolveRange({to: '2026-11-20'}, now)
    expect([until.from?.api, until.to?.api]).to.deep.equal(['2026-11-13', '2026-11-20'])
    const y = resolveRange({from: 'yesterday', to: 'today'}, now)
    expect(y.description).to.equal('2026-11-22 → 2026-11-23')
  })
})
