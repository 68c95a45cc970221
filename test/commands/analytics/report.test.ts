import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {loadRestaurant, writeTraffic} from '../../helpers/analytics-data.js'
import {runIvr} from '../../helpers/run.js'

/**
 * The report's structure, without a browser (npm test on a fresh machine): what `npm run
 * test:browser` then checks as drawn by Chromium.
 */
describe('report --html', function () {
  this.timeout(60_000)
  let dir: string
  let html: string
  let result: Record<string, unknown>
  const SESSIONS = 2000
  before(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'report-'))
    const data = path.join(dir, 'data')
    await writeTraffic(await loadRestaurant(), {sessions: SESSIONS, start: '2026-11-01T00:00:00Z', days: 14, seed: 3, decisionsFile: path.join(data, 'decisions', 'acme.ndjson'), storeFile: path.join(data, 'sessions', 'acme.ndjson'), logsFile: path.join(dir, 'calls.csv')})
    const out = path.join(dir, 'report.html')
    const r = await runIvr(['report', '--html', out, '--account', 'acme', '--menu', 'examples/menus/restaurant.yaml', '--logs', path.join(dir, 'calls.csv'), '--json', '--title', 'Bella Tavola'], {env: {IVR_DATA_DIR: data, IVR_CONFIG_DIR: path.join(dir, 'config'), TZ: 'UTC'}})
    expect(r.exitCode, r.stderr).to.equal(0)
    result = JSON.parse(r.stdout)
    html = await fs.readFile(out, 'utf8')
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  const bars = (chart: string) => {
    const svg = new RegExp(`<svg class="chart" data-chart="${chart}"[\\s\\S]*?</svg>`).exec(html)?.[0] ?? ''
    return [...svg.matchAll(/<rect class="bar" data-label="([^"]*)" data-value="([\d.]+)"/g)].map((m) => ({label: m[1], value: Number(m[2])}))
  }
  const sum = (xs: Array<{value: number}>) => xs.reduce((a, b) => a + b.value, 0)

  it('is one file that needs nothing else: no script, no link, no URL to fetch, a CSP that forbids fetching', () => {
    expect(result).to.include({sessions: SESSIONS, menus: 1})
    expect(html).to.match(/^<!doctype html>/)
    expect(html).not.to.match(/<script|<link|<img|<iframe|url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i)
    expect(html).to.contain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`)
    expect(html).to.contain('<meta name="viewport" content="width=device-width, initial-scale=1">')
    expect(html).to.contain('<title>Bella Tavola</title>')
  })

  it('draws every session once per chart: per day, per hour, by outcome', () => {
    const days = bars('calls-per-day')
    expect(days).to.have.length(14)
    expect(days[0].label).to.equal('11-01')
    expect(sum(days)).to.equal(SESSIONS)
    const hours = bars('calls-per-hour')
    expect(hours.map((h) => h.label)).to.deep.equal(Array.from({length: 24}, (_, h) => String(h).padStart(2, '0')))
    expect(sum(hours)).to.equal(SESSIONS)
    // The restaurant's lunch and dinner peaks, as the traffic was made.
    expect(hours[12].value).to.be.greaterThan(hours[3].value * 5)
    const outcomes = bars('outcomes')
    expect(outcomes.map((o) => o.label)).to.deep.equal(['COMPLETED', 'ERROR'])
    expect(sum(outcomes)).to.equal(SESSIONS)
    expect(html).to.match(/<td>-2003<\/td><td>[^<]+<\/td><td class="n">\d+<\/td>/)
  })

  it('has the duration and MOS distributions, the cost per day from the export, and the menu funnel', () => {
    const answered = sum(bars('durations'))
    expect(answered).to.equal(SESSIONS)
    expect(sum(bars('mos'))).to.equal(SESSIONS)
    const cost = bars('cost-per-day')
    expect(cost).to.have.length(14)
    expect(html).to.contain('Cost per day (SGD)')
    const funnel = bars('menu-0-funnel')
    expect(funnel[0]).to.deep.equal({label: 'main', value: SESSIONS})
    expect(funnel.map((f) => f.label)).to.include.members(['reservations', 'staff', 'hours', 'book'])
    const ends = bars('menu-0-ends')
    expect(ends.map((e) => e.label)).to.deep.equal(['hung up by the menu', 'transferred', 'caller hung up', 'apology', 'no summary yet'])
    expect(sum(ends)).to.equal(SESSIONS)
    expect(html).to.contain('<h2>Menu: Restaurant reservations</h2>')
    expect(html).to.match(/<h3>Top paths<\/h3>.*main 1 › reservations 1 › book \d → hang up/s)
  })

  it('stays small: aggregated before drawing', () => {
    expect(Buffer.byteLength(html)).to.be.below(100_000)
  })

  it('refuses what it cannot read, with the documented exit code, and writes nothing', async () => {
    const out = path.join(dir, 'not-written.html')
    const env = {env: {IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config')}}
    const noLogs = await runIvr(['report', '--html', out, '--account', 'acme', '--logs', path.join(dir, 'missing.csv')], env)
    expect(noLogs.exitCode).to.equal(4)
    expect(noLogs.stderr).to.contain('missing.csv')
    const badMenu = await runIvr(['report', '--html', out, '--account', 'acme', '--menu', path.join(dir, 'missing.yaml')], env)
    expect(badMenu.exitCode).to.equal(4)
    const badSince = await runIvr(['report', '--html', out, '--account', 'acme', '--since', 'last tuesday'], env)
    expect(badSince.exitCode).to.equal(2)
    for (const r of [noLogs, badMenu, badSince]) expect(r.stderr).not.to.contain('    at ')
    expect(await fs.stat(out).catch(() => undefined)).to.equal(undefined)
  })
})
