import {expect} from 'chai'
import {promises as fs} from 'node:fs'

import {startSandbox, type RunningSandbox} from '../../src/lib/sandbox/server.js'
import {runBin, runIvr} from '../helpers/run.js'

// The real client against the sandbox's API (as a real account: IVR_BASE_URL points at it).
describe('profiles and webhooks', () => {
  let sb: RunningSandbox
  let env: Record<string, string>
  const hooks = () => sb.engine.state.sub('acme').webhooks
  before(async () => {
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: sb.apiKey, IVR_BASE_URL: sb.baseUrl}
  })
  after(() => sb.close())
  beforeEach(async () => {
    for (const t of Object.keys(hooks()) as Array<keyof ReturnType<typeof hooks>>) delete hooks()[t]
    hooks().VCS = {type: 'VCS', url: 'https://old.example.com/vcs', enabled: true}
    await fs.rm(process.env.IVR_CACHE_DIR as string, {recursive: true, force: true})
  })

  it('lists voice profiles, filters by locale and gender, and caches the list for a day', async () => {
    let r = await runIvr(['profiles', 'list', '--json'], {env})
    expect(r.exitCode).to.equal(0)
    expect(JSON.parse(r.stdout).fromCache).to.equal(false)
    r = await runIvr(['profiles', 'list'], {env})
    expect(r.stdout).to.match(/en-US-BenjaminRUS\s+en-US\s+\S+\s+(M|Male)\b/)
    r = await runIvr(['profiles', 'list', '--locale', 'en-GB', '--gender', 'F', '--json'], {env})
    const codes = JSON.parse(r.stdout).profiles.map((p: {speechProfileCode: string}) => p.speechProfileCode)
    expect(codes).to.include('en-GB-Emma').and.not.include('en-GB-Brian').and.not.include('en-US-ZiraRUS')
    expect(JSON.parse(r.stdout).fromCache).to.equal(true)
    r = await runIvr(['profiles', 'list', '--refresh', '--locale', 'da', '--json'], {env})
    expect(JSON.parse(r.stdout).fromCache).to.equal(false)
    expect(r.stdout).to.contain('da-DK-Naja').and.not.contain('en-GB-Emma')
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
    expect(r.stderr).not.to.contain(sb.apiKey)
    expect(hooks().VCS).to.deep.equal({type: 'VCS', url: 'https://new.example.com/vcs', enabled: true, authHeader: 'Basic c2VjcmV0LXZhbHVlLTQyNDI='})
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
