import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {runIvr} from '../../helpers/run.js'
import {loadRestaurant, SEVEN, writeWalks} from '../../lib/analytics/fixtures.js'
import {EventStore} from '../../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {vss} from '../../lib/webhooks/fixtures.js'

const MENU = 'examples/menus/restaurant.yaml'

describe('menu stats, menu graph --stats and the terminal charts', function () {
  this.timeout(40_000)
  let dir: string
  let files: string[]
  before(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-stats-'))
    // The sub-account's default places, as `serve` and `sessions tail` fill them.
    const data = path.join(dir, 'data')
    await writeWalks(await loadRestaurant(), SEVEN, path.join(data, 'decisions', 'acme.ndjson'), path.join(data, 'sessions', 'acme.ndjson'))
    files = ['--decisions', path.join(data, 'decisions', 'acme.ndjson'), '--store', path.join(data, 'sessions', 'acme.ndjson')]
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))
  const env = (more: Record<string, string> = {}) => ({env: {IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config'), LANG: 'C.UTF-8', LC_ALL: undefined, LC_CTYPE: undefined, ...more}})

  it("reads the sub-account's decision log and session store, and draws the choices and paths with Unicode bars", async () => {
    const r = await runIvr(['menu', 'stats', MENU, '--account', 'acme'], env())
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.contain('Sessions   7: 6 with a summary, 1 without one yet')
    expect(r.stdout).to.contain('Ended      3 hung up by the menu, 2 transferred, 1 caller hung up, 0 apologies')
    expect(r.stdout).to.match(/^main\s+7\s+8\s+12\.5% \(1\)\s+12\.5% \(1\)\s+0\.0% \(0\)\s+-\s+6s$/m)
    expect(r.stdout).to.match(/^staff\s+3\s+3\s+0\.0% \(0\)\s+0\.0% \(0\)\s+0\.0% \(0\)\s+2 \(1 answered\)/m)
    expect(r.stdout).to.match(/^ {4}2 → staff\s+3 {2}█{30} {2}37\.5%$/m)
    expect(r.stdout).to.match(/^ {4}1 → reservations\s+2 {2}█{20} +25\.0%$/m)
    expect(r.stdout).to.match(/^ {2}2 {2}█{12} {2} 28\.6% {2}main 2 › staff 1 → transfer$/m)
    expect(r.stdout).to.contain('main 1 → hung up in reservations')
    expect(r.stdout).to.contain('main 2 → in staff, no summary yet')
  })

  it('draws # bars where the locale is not UTF-8, and none with --json or --csv', async () => {
    const ascii = await runIvr(['menu', 'stats', MENU, ...files], env({LANG: 'C'}))
    expect(ascii.stdout).to.match(/^ {4}2 → staff\s+3 {2}#{30} {2}37\.5%$/m)
    expect(ascii.stdout).not.to.match(/[█▏▎▍▌▋▊▉]/)
    const json = await runIvr(['menu', 'stats', MENU, ...files, '--json'], env())
    expect(json.stdout).not.to.match(/[█#]{3}/)
    const out = JSON.parse(json.stdout)
    expect([out.sessions, out.withSummary, out.noSummary]).to.deep.equal([7, 6, 1])
    expect(out.nodes.find((n: {id: string}) => n.id === 'reservations')).to.include({calls: 2, abandoned: 1, abandonRate: 0.5})
    const csv = await runIvr(['menu', 'stats', MENU, ...files, '--csv'], env())
    const lines = csv.stdout.trim().split('\n')
    expect(lines[0]).to.equal('node,calls,measure,key,target,count,rate')
    expect(lines).to.include('main,7,choice,2,staff,3,0.375')
    expect(lines).to.include('reservations,2,hung-up-here,,,1,0.5')
    expect(lines).to.include('staff,3,transfer-answered,,,1,0.5')
  })

  it('filters by time and version, and refuses filters it cannot read (exit 2)', async () => {
    const day = JSON.parse((await runIvr(['menu', 'stats', MENU, ...files, '--since', '2026-11-21T00:00:00Z', '--until', '2026-11-22T00:00:00Z', '--json'], env())).stdout)
    expect(day.sessions).to.equal(3)
    const current = JSON.parse((await runIvr(['menu', 'stats', MENU, ...files, '--version', 'current', '--json'], env())).stdout)
    expect(current.sessions).to.equal(7)
    const other = await runIvr(['menu', 'stats', MENU, ...files, '--version', 'abcdef'], env())
    expect(other.exitCode).to.equal(0)
    expect(other.stderr).to.contain('No decisions of "Restaurant reservations" match')
    for (const bad of [['--version', 'v2'], ['--since', 'yesterday'], ['--since', '2026-11-22', '--until', '2026-11-21']]) {
      const r = await runIvr(['menu', 'stats', MENU, ...files, ...bad], env())
      expect(r.exitCode, bad.join(' ')).to.equal(2)
      expect(r.stderr, bad.join(' ')).not.to.contain('    at ')
    }
  })

  it('with nothing recorded yet, says how to record and exits 0', async () => {
    const r = await runIvr(['menu', 'stats', MENU, '--account', 'nobody'], env())
    expect(r.exitCode).to.equal(0)
    expect(r.stderr).to.contain(`No decisions of "Restaurant reservations" recorded yet in ${path.join(dir, 'data', 'decisions', 'nobody.ndjson')}`)
    expect(r.stderr).to.contain(`ivr serve ${MENU}`)
  })

  it('menu graph --stats: edges as wide as their share and labelled with it, menus coloured by abandon rate', async () => {
    const svg = (await runIvr(['menu', 'graph', MENU, '--stats', '--account', 'acme'], env())).stdout
    const edge = (from: string, to: string) => new RegExp(`<path class="edge" data-from="${from}" data-to="${to}" data-count="(\\d+)" data-share="([\\d.]+)" d="[^"]+" fill="none" stroke="#374151" stroke-width="([\\d.]+)"`).exec(svg)
    const toStaff = edge('main', 'staff')!
    const toHours = edge('main', 'hours')!
    expect([toStaff[1], toStaff[2], toStaff[3]]).to.deep.equal(['3', '0.375', '3.8'])
    expect([toHours[1], toHours[3]]).to.deep.equal(['1', '2.1'])
    expect(svg).to.contain('>2 · 38%</text>')
    expect(svg).to.match(/<g class="node menu" id="node-reservations" data-calls="2" data-abandon-rate="0.5">\s*<rect [^>]*fill="#fee2e2"/)
    expect(svg).to.match(/<g class="node menu" id="node-main" data-calls="7" data-abandon-rate="0">\s*<rect [^>]*fill="#dcfce7"/)
    expect(svg).to.contain('7 calls · 0% hung up')
    expect(svg).to.contain('15% or more hung up')
    const mermaid = (await runIvr(['menu', 'graph', MENU, '--stats', ...files, '--format', 'mermaid'], env())).stdout
    expect(mermaid).to.match(/\|"2 · 38%"\|/)
    expect(mermaid).to.match(/linkStyle \d+ stroke-width:3\.8px/)
    expect(mermaid).to.match(/style n\d+ fill:#fee2e2/)
    const dot = (await runIvr(['menu', 'graph', MENU, '--stats', ...files, '--format', 'dot'], env())).stdout
    expect(dot).to.match(/label="2 · 38%", penwidth=3\.8\]/)
    expect(dot).to.contain('fillcolor="#fee2e2"')
    // Without --stats, the picture is as before: no traffic.
    const plain = (await runIvr(['menu', 'graph', MENU], env())).stdout
    expect(plain).not.to.contain('data-count')
    expect(plain).not.to.contain('hung up')
  })

  it('sessions stats draws its chart in # where the locale is not UTF-8', async () => {
    const store = path.join(dir, 'stats.ndjson')
    const s = await EventStore.open(store)
    for (const [id, status] of [['s-1', 'COMPLETED'], ['s-2', 'COMPLETED'], ['s-3', 'BUSY']]) {
      const body = vss(id, {sessionStatus: status})
      await s.append(makeStoredEvent(parseWebhook(body), {bodyText: JSON.stringify(body)}))
    }
    await s.close()
    const ascii = await runIvr(['sessions', 'stats', '--store', store], env({LANG: 'POSIX'}))
    expect(ascii.stdout).to.match(/^ {2}COMPLETED {2}2 {2}#{30} 66\.7%$/m)
    expect(ascii.stdout).to.match(/^ {2}BUSY {7}1 {2}#{15} 33\.3%$/m)
    const unicode = await runIvr(['sessions', 'stats', '--store', store], env({LANG: 'en_US.UTF-8'}))
    expect(unicode.stdout).to.match(/^ {2}COMPLETED {2}2 {2}█{30} 66\.7%$/m)
  })
})
