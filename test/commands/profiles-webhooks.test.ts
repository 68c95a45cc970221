import {expect} from 'chai'
import {promises as fs} from 'node:fs'

import {runBin, runIvr} from '../helpers/run.js'
import {sampleProfiles, startFakeApi} from '../helpers/fake-api.js'

describe('profiles and webhooks', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>>
  let env: Record<string, string>
  let hooks: any[]
  before(async () => {
    api = await startFakeApi({routes: {
      'GET /speech-profiles': () => ({status: 200, body: {speechProfiles: sampleProfiles, statusCode: 1, statusMessage: 'OK'}}),
      'GET /webhooks': () => ({status: 200, body: {subAccountId: 'acme', count: hooks.length, webhooks: hooks, statusCode: 1, statusMessage: 'OK'}}),
      'POST /webhooks': (req) => {
        hooks = hooks.filter((h) => h.type !== req.json.type)
        hooks.push({type: req.json.type, url: req.json.url, enabled: req.json.enabled ?? true, httpAuthHeaderAvailable: Boolean(req.json.httpAuthHeader)})
        return {status: 200, body: {subAccountId: 'acme', count: hooks.length, webhooks: hooks, statusCode: 1, statusMessage: 'OK'}}
      },
      'DELETE /webhooks/VCS': () => {
        const gone = hooks.find((h) => h.type === 'VCS')
        if (!gone) return {status: 404, body: {statusCode: 404, statusMessage: 'Not found'}}
        hooks = hooks.filter((h) => h !== gone)
        return {status: 200, body: {...gone, statusCode: 1, statusMessage: 'deleted'}}
      },
    }})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl}
  })
  after(() => api.close())
  beforeEach(async () => {
    hooks = [{type: 'VCS', url: 'https://old.example.com/vcs', enabled: true, httpAuthHeaderAvailable: false}]
    await fs.rm(process.env.IVR_CACHE_DIR as string, {recursive: true, force: true})
  })

  it('lists voice profiles, filters by locale and gender, and caches the list for a day', async () => {
    const before = api.requests.length
    let r = await runIvr(['profiles', 'list'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/en-US-BenjaminRUS\s+en-US\s+English \(United States\)\s+Male/)
    r = await runIvr(['profiles', 'list', '--locale', 'en', '--gender', 'F', '--json'], {env})
    expect(JSON.parse(r.stdout).profiles.map((p: any) => p.speechProfileCode)).to.deep.equal(['en-US-ZiraRUS', 'en-GB-Emma'])
    expect(JSON.parse(r.stdout).fromCache).to.equal(true)
    expect(api.requests.length - before).to.equal(1)
    r = await runIvr(['profiles', 'list', '--refresh', '--locale', 'da'], {env})
    expect(r.stdout).to.contain('da-DK-Naja').and.not.contain('en-GB-Emma')
    expect(api.requests.length - before).to.equal(2)
  })

  it('lists webhooks and shows only whether an auth header is set', async () => {
    const r = await runIvr(['webhooks', 'list'], {env})
    expect(r.stdout).to.match(/VCS\s+https:\/\/old\.example\.com\/vcs\s+yes\s+none/)
  })

  it('creates a webhook with an auth header from stdin, says what it replaced, and never prints the secret', async () => {
    const r = await runBin(['webhooks', 'create', '--type', 'VCS', '--url', 'https://new.example.com/vcs', '--auth-header-stdin', '--debug'], {env, input: 'Basic c2VjcmV0LXZhbHVlLTQyNDI='})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.contain('Registered VCS → https://new.example.com/vcs with an auth header')
    expect(r.stderr).to.contain('Replaced the previous VCS webhook: https://old.example.com/vcs')
    expect(r.stdout + r.stderr).not.to.contain('c2VjcmV0LXZhbHVlLTQyNDI')
    expect(r.stderr).to.contain('****NDI=')
    expect(r.stderr).not.to.contain(api.apiKey)
    const sent = api.requests.filter((q) => q.method === 'POST').at(-1)
    expect(sent?.json).to.deep.equal({type: 'VCS', url: 'https://new.example.com/vcs', enabled: true, httpAuthHeader: 'Basic c2VjcmV0LXZhbHVlLTQyNDI='})
  })

  it('warns about plain http and refuses a non-URL or an unknown type (exit 2)', async () => {
    let r = await runIvr(['webhooks', 'create', '--type', 'VSS', '--url', 'http://ivr.example.com/vss'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stderr).to.contain('plain http')
    r = await runIvr(['webhooks', 'create', '--type', 'VSS', '--url', 'http://127.0.0.1:3000/vss'], {env})
    expect(r.stderr).to.contain('127.0.0.1 is this machine: the real platform cannot reach it')
    r = await runIvr(['webhooks', 'create', '--type', 'VSS', '--url', 'ftp://x.example.com'], {env})
    expect(r.exitCode).to.equal(2)
    r = await runIvr(['webhooks', 'create', '--type', 'NOPE', '--url', 'https://x.example.com'], {env})
    expect(r.exitCode).to.equal(2)
  })

  it('takes the type as --type, like webhooks create (the first argument still works); none or two different is exit 2', async () => {
    let r = await runIvr(['webhooks', 'delete', '--yes'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--type')
    r = await runIvr(['webhooks', 'delete', 'VCA', '--type', 'VSS', '--yes'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('Two webhook types given')
    r = await runIvr(['webhooks', 'delete', '--type', 'NOPE', '--yes'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('"NOPE" is not a webhook type')
  })

  it('deletes with --yes, refuses without a terminal, and maps a 404 to exit 5', async () => {
    let r = await runIvr(['webhooks', 'delete', 'VCS'], {env: {...env, CI: 'true'}})
    expect(r.exitCode).to.equal(2)
    r = await runIvr(['webhooks', 'delete', '--type', 'vcs', '--yes'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('Deleted the VCS webhook (https://old.example.com/vcs)')
    r = await runIvr(['webhooks', 'delete', 'VCS', '--yes', '--json'], {env})
    expect(r.exitCode).to.equal(5)
    const out = JSON.parse(r.stdout)
    expect(out.error).to.include({code: 'NOT_FOUND', exitCode: 5})
    expect(out.error.suggestions).to.be.an('array')
  })
})
