import {expect} from 'chai'

import {waitOptions} from '../../../src/lib/logs/jobs.js'

describe('logs: --timeout and --poll-interval', () => {
  it('reads --timeout as every timeout flag does: a duration, or a bare number of seconds', () => {
    expect(waitOptions({timeout: '90', 'poll-interval': '5s'}).timeoutMs).to.equal(90_000)
    expect(waitOptions({timeout: '2h', 'poll-interval': '5s'}).timeoutMs).to.equal(7_200_000)
    expect(() => waitOptions({timeout: 'soon', 'poll-interval': '5s'})).to.throw('--timeout "soon" is not a duration')
  })
})
