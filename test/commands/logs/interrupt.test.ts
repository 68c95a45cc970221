import {expect} from 'chai'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import {runIvr} from '../../helpers/run.js'

// A platform that takes the export request and never answers: a fault the sandbox cannot make.
describe('logs export: a second Ctrl-C while a step is stuck', () => {
  let server: http.Server
  let url: string
  let arrived: () => void
  let requestArrived: Promise<void>
  beforeEach(async () => {
    requestArrived = new Promise((resolve) => (arrived = resolve))
    server = http.createServer(() => arrived())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('ends the command with exit 130 through the error path (not process.exit: the test process lives on), leaving no listener', async () => {
    const listeners = process.listenerCount('SIGINT')
    const running = runIvr(['logs', 'export', '--since', '1d'], {env: {IVR_ACCOUNT: 'acme', IVR_API_KEY: 'k', IVR_BASE_URL: url}})
    await requestArrived
    process.emit('SIGINT')
    process.emit('SIGINT')
    const r = await running
    expect(r.exitCode).to.equal(130)
    expect(r.stderr).to.contain('Interrupted.')
    expect(process.listenerCount('SIGINT')).to.equal(listeners)
  })
})
