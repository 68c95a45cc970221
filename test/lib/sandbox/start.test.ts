import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {IvrError} from '../../../src/lib/errors.js'
import {recordingOutput} from '../../../src/lib/output.js'
import {makeColors} from '../../../src/lib/render/colors.js'
import {connectSandbox, discoveryFile, readDiscovery} from '../../../src/lib/sandbox/connect.js'
import {describeSandbox, sandboxOptionsFrom, startLocalSandbox, type StartFlags} from '../../../src/lib/sandbox/start.js'

const flags = (over: Partial<StartFlags> = {}): StartFlags => ({port: 0, host: '127.0.0.1', seed: 0, ...over})

describe('the sandbox start service (in-process)', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-sb-start-'))
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it('refuses a bad number, population or rate with exit 4 and an example', () => {
    for (const bad of [{numbers: '+6531591234,12ab'}, {population: 'answer=x'}, {cps: '0'}]) {
      const error = (() => {
        try {
          sandboxOptionsFrom(flags(bad))
        } catch (e) {
          return e
        }
      })()
      expect(error, JSON.stringify(bad)).to.be.instanceOf(IvrError).with.property('exitCode', 4)
      expect((error as IvrError).suggestions.join(' ')).to.match(/^For example --/)
    }
  })

  it('writes the discovery file, refuses a second sandbox unless it takes over, and gives the file back on stop', async () => {
    const ctx = (pid: number) => ({dataDir: dir, pid, output: recordingOutput(), errColors: makeColors(false)})
    const first = await startLocalSandbox(flags(), ctx(101))
    try {
      expect(await readDiscovery(dir)).to.include({baseUrl: first.sandbox.baseUrl, pid: 101})
      expect(describeSandbox(first.sandbox, flags({cps: '5'}), makeColors(false))).to.include(`Sandbox running at ${first.sandbox.baseUrl}`).and.include('limits:       5 calls/s')
      const refused = await startLocalSandbox(flags(), ctx(102)).catch((e: unknown) => e)
      expect(refused).to.be.instanceOf(IvrError).with.property('exitCode', 2)
      const second = await startLocalSandbox(flags({'take-over': true}), ctx(103))
      expect(await readDiscovery(dir)).to.include({pid: 103})
      await second.stop()
      expect(await readDiscovery(dir)).to.include({pid: 101})
    } finally {
      await first.stop()
    }
    expect(await readDiscovery(dir)).to.equal(undefined)
  })

  it('uses the sandbox the discovery file names while its process runs, even when it answers its probe late (busy)', async () => {
    // A sandbox under a burst on a loaded machine answered its health probe after 500 ms, and commands
    // went on with a sandbox of their own: `sessions tail --register` registered its webhook there.
    const slow = http.createServer((req, res) => {
      setTimeout(() => res.writeHead(req.url === '/sandbox/health' ? 200 : 404, {'content-type': 'application/json'}).end('{"ok":true}'), 1200)
    })
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
    const baseUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`
    const discover = (pid: number) => fs.writeFile(discoveryFile(dir), JSON.stringify({baseUrl, apiKey: 'k', subAccountId: 'sandbox', pid, startedAt: new Date().toISOString()}))
    try {
      await discover(process.pid)
      const running = await connectSandbox({dataDir: dir})
      expect(running).to.include({inProcess: false, baseUrl})
      // A file left by a process that is gone: no waiting on it, a sandbox of its own.
      await discover(2_000_000_000)
      const own = await connectSandbox({dataDir: dir})
      try {
        expect(own.inProcess).to.equal(true)
        expect(own.baseUrl).to.not.equal(baseUrl)
      } finally {
        await own.close()
      }
    } finally {
      slow.closeAllConnections()
      await new Promise((resolve) => slow.close(resolve))
    }
  })
})
