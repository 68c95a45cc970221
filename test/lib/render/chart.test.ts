import {expect} from 'chai'

import {bar, charsetOf} from '../../../src/lib/render/chart.js'

describe('render/chart: terminal bars', () => {
  it('uses Unicode blocks only where the locale is UTF-8, by POSIX precedence', () => {
    expect(charsetOf({LANG: 'en_US.UTF-8'})).to.equal('unicode')
    expect(charsetOf({LANG: 'C.utf8'})).to.equal('unicode')
    expect(charsetOf({LANG: 'C'})).to.equal('ascii')
    expect(charsetOf({})).to.equal('ascii')
    expect(charsetOf({LC_ALL: 'POSIX', LANG: 'en_US.UTF-8'})).to.equal('ascii')
    expect(charsetOf({LC_CTYPE: 'de_DE.UTF-8', LANG: 'C'})).to.equal('unicode')
  })

  it('draws proportional bars in eighths, or in whole # cells', () => {
    expect(bar(5, 10, 4, 'unicode')).to.equal('██')
    expect(bar(3, 8, 2, 'unicode')).to.equal('▊')
    expect(bar(5, 10, 4, 'ascii')).to.equal('##')
    expect(bar(1, 1000, 10, 'ascii')).to.equal('#')
    expect(bar(0, 10, 4, 'ascii')).to.equal('')
    expect(bar(1, 1000, 10, 'ascii')).to.match(/^[ -~]*$/)
  })
})
