import {expect} from 'chai'

import {maskSecret, redactSecrets, scrubText} from '../../../src/lib/render/redact.js'
import {maskNumber, safeLine, safeText} from '../../../src/lib/render/safe.js'

describe('redaction and safe printing', () => {
  it('masks keys and auth headers to their last 4, and passwords entirely', () => {
    expect(maskSecret('abcdefgh1234')).to.equal('****1234')
    expect(maskSecret('abc')).to.equal('****')
    expect(redactSecrets({type: 'VCA', httpAuthHeader: 'Bearer tok-9999', nested: [{password: 'hunter2-pass', apiKey: 'k-12345678'}]}))
      .to.deep.equal({type: 'VCA', httpAuthHeader: '****9999', nested: [{password: '****', apiKey: '****5678'}]})
    expect(scrubText('GET /x?key=secret-value-77', ['secret-value-77'])).to.equal('GET /x?key=****e-77')
  })

  it('strips escape sequences and control characters from remote strings', () => {
    expect(safeText('ok\u001b[2J\u001b]0;title\u0007 done\u0000\u009b')).to.equal('ok done')
    expect(safeLine('two\nlines\tand tab')).to.equal('two lines and tab')
  })

  it('masks the middle of phone numbers', () => {
    expect(maskNumber('+6591238965')).to.equal('+65****8965')
    expect(maskNumber('6591238965')).to.equal('65****8965')
    expect(maskNumber('123')).to.equal('123')
  })
})
