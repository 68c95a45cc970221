import {expect} from 'chai'
import http from 'node:http'
import net, {type AddressInfo} from 'node:net'

import {runBin, runIvr} from '../helpers/run.js'
import {startFakeApi} from '../helpers/fake-api.js'

describe('exit codes and the error envelope', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>>
  let env: Record<string, string>
  before(async () => {
    api = await startFakeApi({routes: {'GET /numbers': () => ({status: 200, body: null})}})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl}
  })
  after(() => api.close())

  it('2 for an unknown command, with the nearest one; under --json the error envelope on stdout', async () => {
    let r = await runBin(['sessions', 'lst'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('"ivr sessions lst" is not an ivr command').and.contain('Did you mean `ivr sessions list`?')
    expect(r.stdout).to.equal('')
    r = await runBin(['nosuchthing', '--json'])
    expect(r.exitCode).to.equal(2)
    expect(JSON.parse(r.stdout).error).to.include({code: 'USAGE', exitCode: 2})
    expect(r.stderr).to.equal('')
  })

  it('2 for an unknown flag, with a pointer to --help', async () => {
    const r = await runIvr(['numbers', 'list', '--bogus'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--bogus').and.contain('--help')
  })

  it('2 for a required flag left out, naming it with its dashes and saying what it is for', async () => {
    const r = await runIvr(['sessions', 'replay', 'some-session'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--to is required: where to POST it.').and.not.contain('The following error occurred')
  })

  it('2 for --json with --csv, in our words; under --json the error envelope', async () => {
    for (const args of [['numbers', 'list', '--csv', '--json'], ['numbers', 'list', '--json', '--csv']]) {
      const r = await runIvr(args, {env})
      expect(r.exitCode).to.equal(2)
      expect(JSON.parse(r.stdout).error).to.include({code: 'USAGE', exitCode: 2, message: '--csv and --json cannot be used together: choose one.'})
    }
    const r = await runIvr(['sessions', 'list', '--csv', '--json'], {env})
    expect(JSON.parse(r.stdout).error.message).to.equal('--csv and --json cannot be used together: choose one.')
  })

  it('2 for a bad base URL', async () => {
    const r = await runIvr(['numbers', 'list', '--base-url', 'not-a-url'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('is not a URL')
  })

  it('3 for a refused key, as JSON under --json', async () => {
    const r = await runIvr(['numbers', 'list', '--json'], {env: {...env, IVR_API_KEY: 'wrong-key-0000'}})
    expect(r.exitCode).to.equal(3)
    expect(JSON.parse(r.stdout)).to.deep.include({error: {code: 'AUTH_REFUSED', message: JSON.parse(r.stdout).error.message, exitCode: 3, suggestions: JSON.parse(r.stdout).error.suggestions}})
    expect(r.stdout + r.stderr).not.to.contain('wrong-key-0000')
  })

  it('6 when the API cannot be reached, without a stack trace', async () => {
    const r = await runIvr(['webhooks', 'list'], {env: {...env, IVR_BASE_URL: 'http://127.0.0.1:9'}})
    expect(r.exitCode).to.equal(6)
    expect(r.stderr).to.contain('ECONNREFUSED').and.not.contain('    at ')
    // Only after retrying: the GET went out three times (--debug traces each retry), waiting IVR_RETRY_WAIT (5 ms here) first.
    const traced = await runIvr(['webhooks', 'list', '--debug'], {env: {...env, IVR_BASE_URL: 'http://127.0.0.1:9'}})
    expect(traced.exitCode).to.equal(6)
    expect(traced.stderr.match(/\.\.\. retry \d+ in \d+ ms after ECONNREFUSED/g)).to.deep.equal(['... retry 1 in 5 ms after ECONNREFUSED', '... retry 2 in 10 ms after ECONNREFUSED'])
  })

  it('2 for a retry wait that is not a number of seconds', async () => {
    const r = await runIvr(['webhooks', 'list'], {env: {...env, IVR_BASE_URL: 'http://127.0.0.1:9', IVR_RETRY_WAIT: 'soon'}})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('IVR_RETRY_WAIT must be a positive number of seconds, not "soon"')
  })

  it('1 for an answer the tool cannot make sense of, pointing at --debug', async () => {
    const r = await runIvr(['numbers', 'list'], {env})
    expect(r.exitCode).to.equal(1)
    expect(r.stderr).to.contain('Unexpected error').and.contain('--debug').and.not.contain('    at ')
  })

  it('tunnels requests through HTTP_PROXY when one is set, and not for NO_PROXY hosts', async () => {
    // A CONNECT proxy on loopback that records the target and tunnels every connection to the fake API.
    const targets: string[] = []
    const apiPort = Number(new URL(api.baseUrl).port)
    const proxy = http.createServer((_req, res) => res.writeHead(405).end())
    proxy.on('connect', (req, client: net.Socket, head: Buffer) => {
      targets.push(String(req.url))
      const upstream = net.connect(apiPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    try {
      // A child process: the test runner's own network guard would bypass the proxy agent.
      const r = await runBin(['numbers', 'check', '+6531591234'], {env: {...env, IVR_BASE_URL: 'http://api.proxied.test', HTTP_PROXY: proxyUrl}})
      expect(r.exitCode, r.stderr).to.equal(5)
      expect(targets).to.deep.equal(['api.proxied.test:80'])
      const direct = await runBin(['numbers', 'check', '+6531591234'], {env: {...env, HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1'}})
      expect(direct.exitCode).to.equal(5)
      expect(targets).to.have.length(1)
    } finally {
      proxy.close()
    }
  })
})
