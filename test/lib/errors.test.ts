import {expect} from 'chai'
import net from 'node:net'

import {ExitCode, listenError} from '../../src/lib/errors.js'

/** The error a real listen gives. */
const listenFailure = (host: string, port: number) => new Promise<unknown>((resolve) => {
  const server = net.createServer()
  server.once('error', resolve)
  server.listen(port, host, () => server.close(() => resolve(undefined)))
})

describe('errors: listen failures read as what the user can change', () => {
  it('a port in use and an address not of this machine are usage errors (exit 2) naming the port or host', async () => {
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as net.AddressInfo).port
    try {
      const inUse = listenError(await listenFailure('127.0.0.1', port), '127.0.0.1', port)
      expect(inUse?.exitCode).to.equal(ExitCode.USAGE)
      expect(inUse?.message).to.equal(`Port ${port} on 127.0.0.1 is in use.`)
      expect(inUse?.suggestions.join(' ')).to.contain('--port')
    } finally {
      taken.close()
    }
    const foreign = listenError(await listenFailure('192.0.2.1', 0), '192.0.2.1', 0)
    expect(foreign?.exitCode).to.equal(ExitCode.USAGE)
    expect(foreign?.message).to.contain('Cannot listen on 192.0.2.1')
  })

  it('leaves any other failure alone', () => {
    expect(listenError(Object.assign(new Error('boom'), {code: 'EMFILE'}), '127.0.0.1', 1)).to.equal(undefined)
    expect(listenError(Object.assign(new Error('no'), {code: 'EACCES', syscall: 'open'}), '127.0.0.1', 1)).to.equal(undefined)
  })
})
