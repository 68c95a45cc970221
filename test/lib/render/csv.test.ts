import {expect} from 'chai'

import {csvField, csvLine} from '../../../src/lib/render/csv.js'

describe('CSV guard (every CSV the tool writes)', () => {
  // OWASP "CSV Injection": cells must not begin with = + - @ tab or carriage return.
  const owasp = ['=', '+', '-', '@', '\t', '\r']

  it('defuses a value starting with each OWASP leading character', () => {
    for (const lead of owasp) {
      for (const payload of [`${lead}1+1`, `${lead}cmd|' /C calc'!A0`, `${lead}HYPERLINK("http://evil.example")`]) {
        const field = csvField(payload)
        expect(field.replace(/^"/, ''), JSON.stringify(payload)).to.match(/^'/)
      }
    }
  })

  it('defuses values that start like a number but are not one, after leading spaces, and in full-width form', () => {
    for (const payload of ['-2+3+cmd|"/C calc"!A0', '+1-2', ' =1+1', '  @SUM(A1)', '\uFF1D1+1', '\uFF0B1+1']) {
      expect(csvField(payload).replace(/^"/, ''), JSON.stringify(payload)).to.match(/^'/)
    }
  })

  it('leaves plain numbers (E.164 phone numbers, negatives, decimals) and ordinary text alone', () => {
    for (const plain of ['+6591234567', '-2004', '4.4', '-0.5', '1e3', 'COMPLETED', 'a=b', '']) expect(csvField(plain)).to.equal(plain)
    expect(csvField(42)).to.equal('42')
    expect(csvField(-3)).to.equal('-3')
    expect(csvField(undefined)).to.equal('')
  })

  it('quotes per RFC 4180 and strips control characters', () => {
    expect(csvField('a,b')).to.equal('"a,b"')
    expect(csvField('say "hi"')).to.equal('"say ""hi"""')
    expect(csvField('x\u001B[31my')).to.equal('xy')
    expect(csvLine(['=1', 'ok', 2])).to.equal("'=1,ok,2")
  })
})
