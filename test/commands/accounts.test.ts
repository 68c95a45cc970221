import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {AccountStore} from '../../src/lib/accounts/store.js'
import {startSandbox, type RunningSandbox} from '../../src/lib/sandbox/server.js'
import {runBin, runIvr} from '../helpers/run.js'
import {TmuxSession} from '../helpers/tmux.js'

const configDir = () => process.env.IVR_CONFIG_DIR as string
const accountsFile = () => path.join(configDir(), 'accounts.json')
// An account stored as `ivr login --no-verify` stores it (the tests of login itself run the real command).
const stored = (account: string, apiKey: string, baseUrl?: string) => new AccountStore(configDir()).save(account, {apiKey, ...(baseUrl ? {baseUrl} : {})})

describe('login and accounts', () => {
  // The sandbox checks the key like the platform: a login's verifying call is a real one.
  let api: RunningSandbox

  before(async () => {
    api = await startSandbox({host: '127.0.0.1', port: 0, apiKey: 'key-good-9876'})
  })
  after(() => api.close())
  beforeEach(() => fs.rm(configDir(), {recursive: true, force: true}))
  after(() => fs.rm(configDir(), {recursive: true, force: true}))

  it('stores a verified key from stdin in a 0600 file inside a 0700 folder', async () => {
    const r = await runBin(['login', '--account', 'acme-support', '--api-key-stdin', '--base-url', api.baseUrl], {input: 'key-good-9876\n'})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.contain('Logged in to sub-account acme-support')
    const stat = await fs.stat(accountsFile())
    expect(stat.mode & 0o777).to.equal(0o600)
    expect((await fs.stat(configDir())).mode & 0o777).to.equal(0o700)
    const data = JSON.parse(await fs.readFile(accountsFile(), 'utf8'))
    expect(data.default).to.equal('acme-support')
    expect(data.accounts['acme-support'].apiKey).to.equal('key-good-9876')
  })

  it('stores nothing when the key is refused (401), and says so with exit 3', async () => {
    const r = await runIvr(['login', '-a', 'acme-support', '--api-key-stdin', '--base-url', api.baseUrl], {input: 'key-wrong-0000'})
    expect(r.exitCode).to.equal(3)
    expect(r.stderr).to.contain('refused').and.contain('nothing was stored')
    expect(r.stderr).not.to.contain('key-wrong-0000')
    await fs.access(accountsFile()).then(() => expect.fail('file was written'), () => {})
  })

  it('keeps an existing credentials file byte for byte when a second login is refused', async () => {
    await stored('first-acct', 'key-good-9876', api.baseUrl)
    const before = await fs.readFile(accountsFile(), 'utf8')
    const r = await runIvr(['login', '-a', 'second-acct', '--api-key-stdin', '--base-url', api.baseUrl], {input: 'nope-nope'})
    expect(r.exitCode).to.equal(3)
    expect(await fs.readFile(accountsFile(), 'utf8')).to.equal(before)
  })

  it('when the API cannot be reached to check the key, says so (exit 6) and points at --no-verify', async () => {
    const r = await runIvr(['login', '-a', 'acme-support', '--api-key-stdin', '--base-url', 'http://127.0.0.1:9'], {input: 'key-good-9876'})
    expect(r.exitCode).to.equal(6)
    expect(r.stderr).to.contain('--no-verify')
    await fs.access(accountsFile()).then(() => expect.fail('file was written'), () => {})
  })

  it('refuses to ask for a key without a terminal (exit 2) and points at --api-key-stdin', async () => {
    const r = await runBin(['login', '-a', 'acme-support'], {env: {CI: 'true'}})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--api-key-stdin')
  })

  it('rejects a malformed sub-account id with exit 2', async () => {
    const r = await runIvr(['login', '-a', 'a b', '--api-key-stdin', '--no-verify'], {input: 'k-123456'})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('not a valid sub-account id')
  })

  it('lists accounts with the default marked and keys masked; use, show and remove work', async () => {
    await stored('acct-one', 'aaaa-bbbb-1111')
    await stored('acct-two', 'cccc-dddd-2222', api.baseUrl)
    let r = await runIvr(['accounts', 'list'])
    expect(r.stdout).to.match(/\*\s+acct-one\s+\*\*\*\*1111/)
    expect(r.stdout).to.contain('****2222')
    expect(r.stdout).not.to.contain('aaaa-bbbb')
    r = await runIvr(['accounts', 'use', 'acct-two'])
    expect(r.exitCode).to.equal(0)
    r = await runIvr(['accounts', 'show', '--json'])
    expect(JSON.parse(r.stdout)).to.include({account: 'acct-two', apiKey: '****2222', baseUrl: api.baseUrl, default: true})
    r = await runIvr(['accounts', 'remove', 'acct-two'], {env: {CI: 'true'}})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--yes')
    r = await runIvr(['accounts', 'remove', 'acct-two', '--yes'])
    expect(r.exitCode).to.equal(0)
    r = await runIvr(['accounts', 'list', '--json'])
    expect(JSON.parse(r.stdout).accounts.map((a: {account: string}) => a.account)).to.deep.equal(['acct-one'])
    r = await runIvr(['accounts', 'use', 'nobody'])
    expect(r.exitCode).to.equal(3)
    expect(r.stderr).to.contain('acct-one')
  })

  it('reports a corrupt credentials file with its path and leaves it untouched', async () => {
    await fs.mkdir(configDir(), {recursive: true})
    await fs.writeFile(accountsFile(), '{"accounts": {"x": ', {mode: 0o600})
    const r = await runIvr(['login', '-a', 'acct-one', '--api-key-stdin', '--no-verify'], {input: 'aaaa-bbbb-1111'})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain(accountsFile()).and.contain('corrupt')
    expect(await fs.readFile(accountsFile(), 'utf8')).to.equal('{"accounts": {"x": ')
  })

  it('keeps all ten accounts when ten logins run at once', async () => {
    const ids = Array.from({length: 10}, (_, i) => `conc-${i}`)
    const results = await Promise.all(ids.map((id, i) => runBin(['login', '-a', id, '--api-key-stdin', '--no-verify'], {input: `key-${i}-abcdef`})))
    for (const r of results) expect(r.exitCode, r.stderr).to.equal(0)
    const data = JSON.parse(await fs.readFile(accountsFile(), 'utf8'))
    expect(Object.keys(data.accounts).sort()).to.deep.equal([...ids].sort())
  })

  it('refuses a credentials file of the wrong shape (exit 4, no stack, file untouched) in list and login', async () => {
    await fs.mkdir(configDir(), {recursive: true})
    for (const text of ['{"accounts":{"acme-one":null}}', '{"accounts":{"acme-one":{"apiKey":12345}}}']) {
      await fs.writeFile(accountsFile(), text, {mode: 0o600})
      const list = await runIvr(['accounts', 'list'])
      expect(list.exitCode).to.equal(4)
      expect(list.stderr).to.contain('corrupt').and.contain(accountsFile()).and.not.contain('Cannot read properties')
      const login = await runIvr(['login', '-a', 'acme-two', '--api-key-stdin', '--no-verify'], {input: 'key-two-123456'})
      expect(login.exitCode).to.equal(4)
      expect(await fs.readFile(accountsFile(), 'utf8')).to.equal(text)
    }
  })

  it('closes a 0755 config folder and a 0644 file on login, and every reader warns about an open file', async () => {
    await fs.mkdir(configDir(), {recursive: true, mode: 0o755})
    await fs.chmod(configDir(), 0o755)
    await runIvr(['login', '-a', 'acct-one', '--api-key-stdin', '--no-verify'], {input: 'aaaa-bbbb-1111'})
    expect((await fs.stat(configDir())).mode & 0o777).to.equal(0o700)
    await fs.chmod(accountsFile(), 0o644)
    for (const args of [['accounts', 'list'], ['accounts', 'show'], ['sessions', 'list']]) {
      const r = await runIvr(args, {env: {IVR_API_KEY: 'from-env-1234'}})
      expect(r.stderr, args.join(' ')).to.contain('readable by other users')
    }
    await runIvr(['login', '-a', 'acct-two', '--api-key-stdin', '--no-verify'], {input: 'cccc-dddd-2222'})
    expect((await fs.stat(accountsFile())).mode & 0o777).to.equal(0o600)
    const quiet = await runIvr(['accounts', 'list'])
    expect(quiet.stderr).not.to.contain('readable by other users')
  })

  it('accounts show names each setting\'s true source: flag, environment, stored or default', async () => {
    await stored('acct-one', 'aaaa-bbbb-1111')
    await stored('acct-two', 'cccc-dddd-2222', 'https://eu.example.com')
    const show = async (args: string[], env: Record<string, string> = {}) => {
      const r = await runIvr(['accounts', 'show', ...args], {env})
      expect(r.exitCode, r.stderr).to.equal(0)
      return r.stdout
    }
    let out = await show([])
    expect(out).to.match(/Sub-account\s+acct-one \(default\)\s+from the stored default account/)
    expect(out).to.match(/API key\s+\*\*\*\*1111\s+from stored for this account/)
    expect(out).to.match(/Base URL\s+https:\/\/voice\.8x8\.com\s+from the default/)
    out = await show([], {IVR_ACCOUNT: 'acct-two'})
    expect(out).to.match(/Sub-account\s+acct-two\s+from IVR_ACCOUNT/)
    expect(out).to.match(/Base URL\s+https:\/\/eu\.example\.com\s+from stored for this account/)
    out = await show(['--account', 'acct-two'], {IVR_ACCOUNT: 'acct-one'})
    expect(out).to.match(/Sub-account\s+acct-two\s+from --account/)
    out = await show([], {IVR_API_KEY: 'env-key-9999', IVR_BASE_URL: 'https://env.example.com'})
    expect(out).to.match(/API key\s+\*\*\*\*9999\s+from IVR_API_KEY/)
    expect(out).to.match(/Base URL\s+https:\/\/env\.example\.com\s+from IVR_BASE_URL/)
    const json = JSON.parse((await runIvr(['accounts', 'show', '--json'], {env: {IVR_ACCOUNT: 'acct-two', IVR_API_KEY: 'env-key-9999'}})).stdout)
    expect(json.sources).to.deep.equal({account: 'env', apiKey: 'env', baseUrl: 'stored'})
  })

  it('a table fits a narrow terminal: long cells shortened with …, no row wrapped (tmux, 60 columns)', async () => {
    const longUrl = `https://${'regional-'.repeat(8)}voice.example.com`
    await stored('acct-one', 'aaaa-bbbb-1111', longUrl)
    const tmux = new TmuxSession(['accounts', 'list'], {IVR_CONFIG_DIR: configDir(), NO_COLOR: '1'}, {columns: 60})
    try {
      const screen = await tmux.waitFor(/EXIT=\d+/)
      const lines = screen.split('\n')
      const row = lines.find((l) => l.includes('acct-one'))
      expect(row, screen).to.contain('****1111').and.contain('…')
      expect(lines.some((l) => l.startsWith('voice.example.com')), 'a wrapped row').to.equal(false)
      expect(screen).to.contain('EXIT=0')
    } finally {
      tmux.kill()
    }
  })

  it('warns when the credentials file is readable by others', async () => {
    await stored('acct-one', 'key-good-9876', api.baseUrl)
    await fs.chmod(accountsFile(), 0o644)
    const r = await runIvr(['profiles', 'list', '--refresh'])
    expect(r.exitCode).to.equal(0)
    expect(r.stderr).to.contain('readable by other users').and.contain('chmod 600')
  })
})
