import {expect} from 'chai'
import {promises as fs} from 'node:fs'

import {startSandbox, type RunningSandbox} from '../../src/lib/sandbox/server.js'
import {runIvr} from '../helpers/run.js'
import {startFakeApi} from '../helpers/fake-api.js'

// The real client against the sandbox; a fake only for what the sandbox never sends (control characters in a number).
describe('numbers', () => {
  let sb: RunningSandbox
  let env: Record<string, string>
  before(async () => {
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: sb.apiKey, IVR_BASE_URL: sb.baseUrl}
  })
  after(() => sb.close())
  beforeEach(() => fs.rm(process.env.IVR_CONFIG_DIR as string, {recursive: true, force: true}))

  it('without credentials exits 3 and says how to get them', async () => {
    const r = await runIvr(['numbers', 'list'])
    expect(r.exitCode).to.equal(3)
    expect(r.stderr).to.contain('ivr login').and.contain('IVR_API_KEY')
  })

  it('lists the sub-account\'s numbers as a table, as CSV and as JSON', async () => {
    let r = await runIvr(['numbers', 'list'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/MSISDN\s+Country\s+Status\s+Health/)
    expect(r.stdout).to.match(/\+?6531591234\s+SG\s+/)
    expect(r.stdout).to.match(/\+?442071838750\s+GB\s+/)
    r = await runIvr(['numbers', 'list', '--csv'], {env})
    expect(r.stdout.split('\n')[0]).to.equal('MSISDN,Country,Status,Health,Type,Reference id')
    r = await runIvr(['numbers', 'list', '--json'], {env})
    expect(JSON.parse(r.stdout).numbers).to.have.length(4)
  })

  it('checks an assigned number (exit 0) and an unassigned one (exit 5); a non-number is exit 2', async () => {
    let r = await runIvr(['numbers', 'check', '+6531591234'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('is assigned to acme').and.contain('country SG')
    r = await runIvr(['numbers', 'check', '+6599999999'], {env})
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('is not a virtual number')
    r = await runIvr(['numbers', 'check', 'hello'], {env})
    expect(r.exitCode).to.equal(2)
  })

  it('strips control characters a server sends in a number (fake API: the sandbox never sends them)', async () => {
    const api = await startFakeApi({routes: {
      'GET /numbers': () => ({status: 200, body: {totalNumbers: 1, numbers: [{msisdn: '+4420\u001b[31m7946', countryCode: 'GB', operationalStatus: 'Expiring', referenceId: 'ref-2', numberType: 'LOCAL'}]}}),
    }})
    try {
      const r = await runIvr(['numbers', 'list'], {env: {IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl}})
      expect(r.exitCode).to.equal(0)
      expect(r.stdout).to.contain('+44207946')
      expect(r.stdout).not.to.contain('\u001b')
    } finally {
      await api.close()
    }
  })
})
