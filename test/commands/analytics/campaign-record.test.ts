// A campaign's menu keeps its decisions like `ivr serve` does (issue 16, part 1): a campaign run on
// the sandbox, then `ivr menu stats` on the campaign's menu shows the calls that reached it.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {freshDatabase} from '../../helpers/postgres.js'
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

    // The report names the campaign and draws its contacts by outcome, as the run ended them (issue 16, part 4).
    const html = path.join(dir, 'report.html')
    const report = await runIvr(['report', '--html', html, '--campaign', 'rec', '--menu', MENU, '--account', 'sandbox'], {env})
    expect(report.exitCode, report.stderr).to.equal(0)
    expect(report.stderr).to.contain('campaign rec')
    const page = await fs.readFile(html, 'utf8')
    expect(page).to.contain('<h2>Campaign: rec</h2>')
    const svg = /<svg class="chart" data-chart="campaign"[\s\S]*?<\/svg>/.exec(page)?.[0] ?? ''
    const bars = [...svg.matchAll(/<rect class="bar" data-label="([^"]*)" data-value="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])])
    const ended = new Map<string, number>()
    for (const e of events.filter((ev) => ev.type === 'outcome')) ended.set(e.status, (ended.get(e.status) ?? 0) + 1)
    expect(Object.fromEntries(bars)).to.deep.equal(Object.fromEntries(ended))
    expect(bars.reduce((t, [, n]) => t + (n as number), 0)).to.equal(4)
  })

  it('report --campaign NAME --db URL reads a campaign kept in PostgreSQL, as every campaign command does', async () => {
    const db = await freshDatabase()
    const env = {IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_DATA_DIR: path.join(dir, 'data'), IVR_DATABASE_URL: undefined}
    const contacts = path.join(dir, 'contacts.csv')
    await fs.writeFile(contacts, 'phone\n+6591230001\n+6591230002\n')
    const created = await runIvr(['campaign', 'create', 'pgrep', '--contacts', contacts, '--menu', MENU, '--from', '+6531591234', '--db', db], {env})
    expect(created.exitCode, created.stderr).to.equal(0)
    const html = path.join(dir, 'report.html')
    const report = await runIvr(['report', '--html', html, '--campaign', 'pgrep', '--db', db], {env})
    expect(report.exitCode, report.stderr).to.equal(0)
    expect(await fs.readFile(html, 'utf8')).to.contain('<h2>Campaign: pgrep</h2>')
  })

  it('report --campaign with a campaign that does not exist: its exit code and what to do, no file written', async () => {
    const env = {IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_DATA_DIR: path.join(dir, 'data')}
    const html = path.join(dir, 'report.html')
    const r = await runIvr(['report', '--html', html, '--campaign', 'nope'], {env})
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('nope')
    expect(r.stderr).not.to.match(/\n\s+at /)
    await fs.access(html).then(() => expect.fail('a report was written'), () => {})
  })
})
