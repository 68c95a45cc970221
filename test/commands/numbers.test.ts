import {expect} from 'chai'
import {promises as fs} from 'node:fs'

import {runIvr} from '../helpers/run.js'
import {startFakeApi} from '../helpers/fake-api.js'

const numbers = {
  totalNumbers: 2,
  lastUpdatedAt: '2026-11-01T00:00:00Z',
  numbers: [
    {msisdn: '+6531591234', countryCode: 'SG', operationalStatus: 'Active', referenceId: 'ref-1', numberType: 'LOCAL', numberHealthCheckEnabled: true, numberHealth: {isHealthy: true, status: 'HEALTHY'}},
    {msisdn: '+4420\u001b[31m7946', countryCode: 'GB', operationalStatus: 'Expiring', referenceId: 'ref-2', numberType: 'LOCAL', numberHealthCheckEnabled: false},
  ],
}

describe('numbers', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>>
  let env: Record<string, string>
  before(async () => {
    api = await startFakeApi({routes: {
      'GET /numbers': () => ({status: 200, body: numbers}),
      'GET /numbers/6531591234': () => ({status: 200, body: {statusCode: 0, statusMessage: 'OK', payload: {referenceId: 'ref-1', msisdn: '6531591234', countryCode: 'SG'}}}),
    }})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl}
  })
  after(() => api.close())
  beforeEach(() => fs.rm(process.env.IVR_CONFIG_DIR as string, {recursive: true, force: true}))

  it('without credentials exits 3 and says how to get them', async () => {
    const r = await runIvr(['numbers', 'list'])
    expect(r.exitCode).to.equal(3)
    expect(r.stderr).to.contain('ivr login').and.contain('IVR_API_KEY')
  })

  it('lists numbers as a table, with remote control characters stripped', async () => {
    const r = await runIvr(['numbers', 'list'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/MSISDN\s+Country\s+Status\s+Health/)
    expect(r.stdout).to.match(/\+6531591234\s+SG\s+Active\s+HEALTHY/)
    expect(r.stdout).to.contain('+44207946')
    expect(r.stdout).not.to.contain('\u001b')
    expect(api.requests.at(-1)?.path).to.equal('/api/v1/subaccounts/acme/numbers')
  })

  it('prints CSV and JSON', async () => {
    let r = await runIvr(['numbers', 'list', '--csv'], {env})
    expect(r.stdout.split('\n')[0]).to.equal('MSISDN,Country,Status,Health,Type,Reference id')
    r = await runIvr(['numbers', 'list', '--json'], {env})
    expect(JSON.parse(r.stdout).numbers).to.have.length(2)
  })

  it('checks an assigned number (exit 0) and an unassigned one (exit 5)', async () => {
    let r = await runIvr(['numbers', 'check', '+6531591234'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('is assigned to acme')
    r = await runIvr(['numbers', 'check', '+6599999999'], {env})
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('is not a virtual number')
    r = await runIvr(['numbers', 'check', 'hello'], {env})
    expect(r.exitCode).to.equal(2)
  })
})
