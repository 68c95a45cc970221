import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {LocalCampaignStore, journalFileFor} from '../../../src/lib/campaign/local-journal.js'
import {createCampaign, journalContract} from './journal-contract.js'

journalContract('local file', async () => {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-journal-'))
  return {store: new LocalCampaignStore(dir), reopen: async () => new LocalCampaignStore(dir), cleanup: () => fs.rm(dir, {recursive: true, force: true})}
})

describe('campaign/local-journal: the file', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-journal-'))
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it('is one file under <data>/campaigns, readable by the owner only', async () => {
    const store = new LocalCampaignStore(dir)
    await createCampaign(store, 'x', ['+6591230001'])
    const file = journalFileFor(dir, 'x')
    expect(file).to.equal(path.join(dir, 'campaigns', 'x.journal'))
    expect((await fs.stat(file)).mode & 0o777).to.equal(0o600)
    expect(await fs.readdir(path.join(dir, 'campaigns'))).to.deep.equal(['x.journal'])
  })

  it('a creation that never committed leaves no campaign behind', async () => {
    const store = new LocalCampaignStore(dir)
    const {definitionFor} = await import('./journal-contract.js')
    const w = await store.create(definitionFor('half'), {})
    await w.addContact({row: 2, number: '+6591230001', vars: {}})
    await w.abort()
    expect(await store.exists('half')).to.equal(false)
    expect(await fs.readdir(path.join(dir, 'campaigns'))).to.deep.equal([])
  })

  it('a torn last line (a crash mid-write) is ignored on reading and cut before the next write', async () => {
    const store = new LocalCampaignStore(dir)
    await createCampaign(store, 't', ['+6591230001', '+6591230002'])
    const file = journalFileFor(dir, 't')
    await fs.appendFile(file, '{"t":"i","c":1,"a":1,"at":1')
    const j = await store.open('t')
    expect((await j.counts()).dialing).to.equal(0)
    await j.join({runnerId: 'r', pid: process.pid, host: 'h', startedAt: ''})
    const r = await j.claimNext('r', Date.now(), {maxLive: 5})
    expect(r).to.have.nested.property('claim.contact.id', 1)
    await j.close()
    const text = await fs.readFile(file, 'utf8')
    expect(text.endsWith('\n')).to.equal(true)
    for (const line of text.trim().split('\n')) JSON.parse(line)
  })

  it('a second runner is refused while the first holds the campaign', async () => {
    const store = new LocalCampaignStore(dir)
    await createCampaign(store, 'r', ['+6591230001'])
    const a = await store.open('r')
    await a.join({runnerId: 'a', pid: process.pid, host: 'h', startedAt: ''})
    // Another process holds it: simulate with a writer claim of a live pid that is not ours (our parent).
    await a.close()
    const {hostname} = await import('node:os')
    await fs.writeFile(`${journalFileFor(dir, 'r')}.writer`, JSON.stringify({pid: process.ppid, host: hostname(), since: 'then'}))
    const b = await store.open('r')
    try {
      await b.join({runnerId: 'b', pid: process.pid, host: 'h', startedAt: ''})
      expect.fail('joined while another process runs it')
    } catch (error) {
      expect((error as Error).message).to.match(new RegExp(`being run by process ${process.ppid}`))
    } finally {
      await b.close()
    }
  })
})
