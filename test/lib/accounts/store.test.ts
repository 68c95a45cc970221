import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {AccountStore} from '../../../src/lib/accounts/store.js'
import {IvrError} from '../../../src/lib/errors.js'

describe('account store', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-accounts-'))
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it('keeps every account when ten saves run at once (each read-modify-write holds the lock)', async () => {
    const store = new AccountStore(path.join(dir, 'config'))
    await Promise.all(Array.from({length: 10}, (_, i) => new AccountStore(store.dir).save(`conc-${i}`, {apiKey: `key-${i}-abcd`})))
    const data = await store.read()
    expect(Object.keys(data.accounts).sort()).to.deep.equal(Array.from({length: 10}, (_, i) => `conc-${i}`).sort())
    await fs.access(`${store.file}.lock`).then(() => expect.fail('the lock was left behind'), () => {})
  })

  it('refuses files of the wrong shape with what is wrong, exit 4, and leaves them untouched', async () => {
    const store = new AccountStore(dir)
    const cases: Array<[string, RegExp]> = [
      ['{"accounts":{"acme-one":null}}', /account "acme-one" is not an object/],
      ['{"accounts":{"acme-one":{"apiKey":12345}}}', /account "acme-one" has no API key string/],
      ['{"accounts":{"acme-one":{"apiKey":""}}}', /no API key string/],
      ['{"accounts":{"acme-one":{"apiKey":"k-1234","baseUrl":7}}}', /baseUrl that is not a string/],
      ['{"accounts":[]}', /"accounts" is not an object/],
      ['{"default":3,"accounts":{}}', /"default" is not a string/],
      ['[1]', /not a JSON object/],
      ['{"accounts": {"x": ', /not valid JSON/],
    ]
    for (const [text, why] of cases) {
      await fs.writeFile(store.file, text, {mode: 0o600})
      for (const attempt of [() => store.read(), () => store.save('acme-two', {apiKey: 'key-two-1234'}), () => store.setDefault('acme-one'), () => store.remove('acme-one')]) {
        const error = await attempt().then(() => undefined, (e: unknown) => e)
        expect(error, text).to.be.instanceOf(IvrError)
        expect((error as IvrError).exitCode, text).to.equal(4)
        expect((error as IvrError).message, text).to.match(why).and.contain('corrupt').and.contain(store.file)
      }
      expect(await fs.readFile(store.file, 'utf8')).to.equal(text)
    }
  })

  it('sets the file back to 0600 and the folder to 0700 on every write', async () => {
    const configDir = path.join(dir, 'config')
    await fs.mkdir(configDir, {mode: 0o755})
    await fs.chmod(configDir, 0o755)
    const store = new AccountStore(configDir)
    await store.save('acme-one', {apiKey: 'key-one-1234'})
    await fs.chmod(store.file, 0o644)
    await fs.chmod(configDir, 0o755)
    await store.save('acme-two', {apiKey: 'key-two-1234'})
    expect((await fs.stat(store.file)).mode & 0o777).to.equal(0o600)
    expect((await fs.stat(configDir)).mode & 0o777).to.equal(0o700)
    await fs.chmod(store.file, 0o640)
    await store.setDefault('acme-two')
    expect((await fs.stat(store.file)).mode & 0o777).to.equal(0o600)
  })
})
