import {expect} from 'chai'
import {spawn, type ChildProcess} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {claimFile, createExclusive, withFileLock} from '../../src/lib/file-claim.js'
import {acquireReceiverLock, lockFileFor, runningReceiver} from '../../src/lib/sessions/lock.js'

describe('file claims: one holder, also when a stale claim is taken over by several at once', function () {
  this.timeout(30_000)
  let dir: string
  // Live processes whose pids stand for separate receivers racing for one store.
  let sleepers: ChildProcess[]
  before(() => {
    sleepers = Array.from({length: 4}, () => spawn('sleep', ['60'], {stdio: 'ignore'}))
  })
  after(() => {
    for (const s of sleepers) s.kill('SIGKILL')
  })
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-claim-'))
  })
  afterEach(async () => {
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('creates a file whole or not at all', async () => {
    const file = path.join(dir, 'sub', 'x.json')
    expect(await createExclusive(file, 'one')).to.equal(true)
    expect(await createExclusive(file, 'two')).to.equal(false)
    expect(await fs.readFile(file, 'utf8')).to.equal('one')
    expect((await fs.stat(file)).mode & 0o777).to.equal(0o600)
    expect((await fs.readdir(path.dirname(file))).filter((n) => n !== 'x.json')).to.deep.equal([])
  })

  it('two receivers that find the same dead claim together: exactly one of them gets the store, every time', async () => {
    const store = path.join(dir, 's.ndjson')
    const doubled: number[] = []
    for (let round = 0; round < 40; round++) {
      await fs.writeFile(lockFileFor(store), JSON.stringify({pid: 2 ** 22 + 12_345, url: '', startedAt: ''}))
      const tries = await Promise.all(sleepers.map((s) => acquireReceiverLock(store, {pid: s.pid!, url: `http://127.0.0.1:${s.pid}`, startedAt: ''}).then((lock) => ({lock}), (error) => ({error}))))
      const won = tries.filter((t) => 'lock' in t)
      if (won.length !== 1) doubled.push(round)
      for (const t of tries) if ('error' in t) expect((t.error as {code?: string}).code).to.equal('STORE_BUSY')
      for (const t of won) await (t as {lock: {release(): Promise<void>}}).lock.release()
      expect(await runningReceiver(store)).to.equal(undefined)
    }
    expect(doubled, 'rounds where not exactly one receiver got the store').to.deep.equal([])
    // Nothing left behind but the store's folder.
    expect(await fs.readdir(dir)).to.deep.equal([])
  })

  it('a holder that is alive keeps its claim; its own process cannot claim twice', async () => {
    const file = path.join(dir, 'c.json')
    const first = await claimFile(file, {pid: process.pid})
    expect('claim' in first).to.equal(true)
    const second = await claimFile(file, {pid: process.pid})
    expect(second).to.deep.include({heldBy: {pid: process.pid, nonce: (JSON.parse(await fs.readFile(file, 'utf8')) as {nonce: string}).nonce}})
    if ('claim' in first) await first.claim.release()
    await fs.access(file).then(() => expect.fail('released claim still there'), () => {})
  })

  it('withFileLock runs read-modify-writes one at a time: no update is lost', async () => {
    const data = path.join(dir, 'counter.json')
    await fs.writeFile(data, '0')
    await Promise.all(Array.from({length: 20}, () => withFileLock(`${data}.lock`, async () => {
      const n = Number(await fs.readFile(data, 'utf8'))
      await new Promise((r) => setTimeout(r, 1))
      await fs.writeFile(data, String(n + 1))
    }, {pid: process.pid})))
    expect(await fs.readFile(data, 'utf8')).to.equal('20')
  })
})
