// A campaign's menu keeps its decisions like `ivr serve` does (issue 16, part 1): a campaign run on
// the sandbox, then `ivr menu stats` on the campaign's menu shows the calls that reached it.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {runIvr} from '../../helpers/run.js'

const MENU = 'examples/campaigns/reminder-menu.yaml'

describe('campaign run records its menu decisions', function () {
  this.timeout(60_000)
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'campaign-record-'))
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it("in the sandbox sub-account's decision log: menu stats counts every answered call in the menu's first node", async () => {
    const env = {IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_DATA_DIR: path.join(dir, 'data')}
    const contacts = path.join(dir, 'contacts.csv')
    await fs.writeFile(contacts, 'phone,name\n+6591230001,Tan\n+6591230002,Siti\n+6591230003,Raj\n+6591230004,Mei\n')
    const created = await runIvr(['campaign', 'create', 'rec', '--contacts', contacts, '--menu', MENU, '--from', '+6531591234', '--rate', '5'], {env})
    expect(created.exitCode, created.stderr).to.equal(0)
    const run = await runIvr(['campaign', 'run', 'rec', '--sandbox', '--json'], {env})
    expect(run.exitCode, run.stderr).to.equal(0)
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l))
    const answered = events.filter((e) => e.type === 'outcome' && e.status === 'COMPLETED').map((e) => e.sessionId).sort()
    expect(answered.length, 'calls answered by the sandbox').to.be.greaterThan(0)

    const stats = await runIvr(['menu', 'stats', MENU, '--account', 'sandbox', '--json'], {env})
    expect(stats.exitCode, stats.stderr).to.equal(0)
    const s = JSON.parse(stats.stdout)
    expect(s.menu).to.equal('Appointment reminder')
    expect(s.sessions).to.equal(answered.length)
    expect(s.withSummary).to.equal(answered.length)
    expect(s.decisions).to.be.at.least(answered.length)
    expect(s.nodes.find((n: {id: string}) => n.id === 'reminder').calls).to.equal(answered.length)
    const logged = (await fs.readFile(path.join(dir, 'data', 'decisions', 'sandbox.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).session)
    expect([...new Set(logged)].sort()).to.deep.equal(answered)
  })
})
