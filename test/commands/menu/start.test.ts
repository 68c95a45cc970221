import {expect} from 'chai'

import {runIvr} from '../../helpers/run.js'

describe('menu start (command)', () => {
  it('prints the Send Callflow request that opens the menu', async () => {
    const r = await runIvr(['menu', 'start', 'examples/menus/support-callback.yaml', '--from', '+6531591234', '--to', '+6591234567', '--client-request-id', 'cb-1'])
    expect(r.exitCode).to.equal(0)
    const req = JSON.parse(r.stdout)
    expect(req.clientRequestId).to.equal('cb-1')
    expect(req.callflow[0]).to.deep.equal({action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}})
    expect(req.callflow[1].params.promptMessage).to.match(/^Hello, this is the support team/)
  })

  it('needs --from and --to (exit 2)', async () => {
    const r = await runIvr(['menu', 'start', 'examples/menus/support-callback.yaml', '--to', '+6591234567'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--from is required')
  })
})
