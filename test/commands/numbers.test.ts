import {expect} from 'chai'

import {runIvr} from '../helpers/run.js'

describe('numbers list (smoke)', () => {
  it('without credentials exits 3 and says how to log in', async () => {
    const r = await runIvr(['numbers', 'list'])
    expect(r.exitCode).to.equal(3)
    expect(r.stderr).to.contain('ivr login')
  })
})
