import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import type {BrowserContext, Page} from 'playwright-core'

import {loadRestaurant, writeTraffic} from '../helpers/analytics-data.js'
import {projectRoot, runIvr} from '../helpers/run.js'
import {launchChromium} from './chromium.js'

/**
 * `ivr report --html` as a person sees it: the real file opened in a real headless Chromium, at a
 * desktop width and a phone width, checked on what is drawn (the rendered DOM: sizes, positions,
 * visibility), and photographed. Run with `npm run test:browser`; UPDATE_DOCS=1 also writes the
 * desktop picture to docs/report.png (the README shows it).
 */
interface Box {x: number; y: number; width: number; height: number}
interface Layout {
  viewport: number
  scrollWidth: number
  sections: Array<{id: string; box: Box; title: string}>
  figures: string[]
  /** Visible charts; smallestText: the height of the smallest text drawn in it, in CSS pixels. */
  charts: Array<{id: string; box: Box; bars: Array<{label: string; value: number; box: Box}>; smallestText: number}>
}

describe('report --html in Chromium', function () {
  this.timeout(120_000)
  let dir: string
  let url: string
  let context: BrowserContext
  let close: () => Promise<void>
  let page: Page
  const requests: string[] = []
  const DAYS = 30

  before(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'report-browser-'))
    const data = path.join(dir, 'data')
    await writeTraffic(await loadRestaurant(), {sessions: 6000, start: '2026-11-01T00:00:00Z', days: DAYS, seed: 11, decisionsFile: path.join(data, 'decisions', 'acme.ndjson'), storeFile: path.join(data, 'sessions', 'acme.ndjson'), logsFile: path.join(dir, 'calls-2026-11.csv')})
    const env = {IVR_DATA_DIR: data, IVR_CONFIG_DIR: path.join(dir, 'config'), TZ: 'UTC'}
    // The example reminder campaign on the sandbox (its numbers answer, are busy, fail...), for the report's campaign section.
    for (const args of [['campaign', 'create', 'reminders', '--contacts', 'examples/campaigns/contacts.csv', '--menu', 'examples/campaigns/reminder-menu.yaml', '--from', '+6531591234', '--rate', '5'], ['campaign', 'run', 'reminders', '--sandbox', '--json']]) {
      const c = await runIvr(args, {env})
      expect(c.exitCode, c.stderr).to.equal(0)
    }
    const file = path.join(dir, 'report.html')
    const r = await runIvr(['report', '--html', file, '--account', 'acme', '--menu', 'examples/menus/restaurant.yaml', '--logs', path.join(dir, 'calls-2026-11.csv'), '--campaign', 'reminders', '--title', 'Bella Tavola: November'], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    url = pathToFileURL(file).href
    ;({context, close} = await launchChromium())
    page = await context.newPage()
    page.on('request', (req) => requests.push(req.url()))
  })
  after(async () => {
    await close?.()
    await fs.rm(dir, {recursive: true, force: true})
  })

  /**
   * The boxes of what is drawn, as the browser laid it out. Given as text: the test runner's
   * compiler would otherwise add its own helpers to the function, which the page does not have.
   */
  const layout = (): Promise<Layout> => page.evaluate(`(() => {
    const box = (e) => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height} }
    const visible = (e) => getComputedStyle(e).display !== 'none' && e.offsetParent !== null
    const charts = [...document.querySelectorAll('svg.chart')].filter((c) => visible(c.parentElement)).map((c) => ({
      id: c.getAttribute('data-chart'),
      box: box(c),
      bars: [...c.querySelectorAll('rect.bar')].map((b) => ({label: b.getAttribute('data-label'), value: Number(b.getAttribute('data-value')), box: box(b)})),
      smallestText: Math.min(...[...c.querySelectorAll('text')].map((t) => t.getBoundingClientRect().height).filter((h) => h > 0)),
    }))
    return {
      viewport: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      sections: [...document.querySelectorAll('main > section')].map((s) => ({id: s.id, box: box(s), title: s.querySelector('h2')?.textContent ?? ''})),
      figures: [...document.querySelectorAll('.figure')].map((f) => f.textContent ?? ''),
      charts,
    }
  })()`)

  it('at 1280 px: every chart drawn at a readable size, two columns, nothing wider than the window; photographed', async () => {
    await page.setViewportSize({width: 1280, height: 900})
    await page.goto(url)
    const l = await layout()
    expect(l.scrollWidth).to.be.at.most(1280)
    expect(l.figures[0]).to.equal('6,000sessions')
    expect(l.sections.map((s) => s.id)).to.deep.equal(['calls-per-day', 'calls-per-hour', 'outcomes', 'durations', 'mos', 'cost', 'menu-0', 'campaign'])
    // Two columns: the hour chart sits beside the day chart, the menu spans both.
    const at = (id: string) => l.sections.find((s) => s.id === id)!.box
    expect(at('calls-per-hour').y).to.equal(at('calls-per-day').y)
    expect(at('calls-per-hour').x).to.be.greaterThan(at('calls-per-day').x + 400)
    expect(at('menu-0').width).to.be.greaterThan(1000)
    const chart = (id: string) => l.charts.find((c) => c.id === id)!
    expect(l.charts.map((c) => c.id)).to.include.members(['calls-per-day', 'calls-per-hour', 'outcomes', 'durations', 'mos', 'cost-per-day', 'menu-0-funnel', 'menu-0-ends', 'campaign'])
    for (const c of l.charts) {
      expect(c.box.width, c.id).to.be.within(400, 780)
      expect(c.smallestText, c.id).to.be.at.least(9)
      // Every non-zero value is a bar one can see, and bars grow with their values.
      for (const b of c.bars.filter((x) => x.value > 0)) expect(Math.max(b.box.width, b.box.height), `${c.id} ${b.label}`).to.be.greaterThan(0.9)
    }
    const days = chart('calls-per-day').bars
    expect(days).to.have.length(DAYS)
    expect(days.reduce((a, b) => a + b.value, 0)).to.equal(6000)
    const [low, high] = [...days].sort((a, b) => a.value - b.value).filter((_, i, all) => i === 0 || i === all.length - 1)
    expect(high.box.height / low.box.height).to.be.closeTo(high.value / low.value, 0.1)
    // The campaign's eight contacts (of ten rows: a duplicate and a bad number skipped), by outcome:
    // several outcomes, every one drawn, the longest bar the biggest count.
    const outcomes = chart('campaign').bars
    expect(outcomes.reduce((a, b) => a + b.value, 0)).to.equal(8)
    expect(outcomes.length).to.be.greaterThan(1)
    const widest = [...outcomes].sort((a, b) => b.box.width - a.box.width)[0]
    expect(widest.value).to.equal(Math.max(...outcomes.map((b) => b.value)))
    const funnel = chart('menu-0-funnel').bars
    expect(funnel[0].label).to.equal('main')
    expect(funnel[0].box.width).to.be.greaterThan(funnel.find((b) => b.label === 'staff')!.box.width)
    const shot = await page.screenshot({fullPage: true})
    expect(shot.subarray(1, 4).toString()).to.equal('PNG')
    expect(shot.readUInt32BE(16)).to.equal(1280)
    await fs.writeFile(path.join(dir, 'report-1280.png'), shot)
    if (process.env.UPDATE_DOCS === '1') await fs.writeFile(path.join(projectRoot, 'docs', 'report.png'), shot)
  })

  it('on a phone (390 px): one column, the phone drawings, readable text, no sideways scrolling', async () => {
    await page.setViewportSize({width: 390, height: 844})
    await page.goto(url)
    const l = await layout()
    expect(l.scrollWidth).to.be.at.most(390)
    const lefts = new Set(l.sections.map((s) => Math.round(s.box.x)))
    expect(lefts.size).to.equal(1)
    for (const c of l.charts) {
      expect(c.box.width, c.id).to.be.within(300, 390)
      expect(c.box.x, c.id).to.be.at.least(0)
      expect(c.smallestText, c.id).to.be.at.least(9)
    }
    expect(l.charts.find((c) => c.id === 'calls-per-hour')!.bars).to.have.length(24)
    const shot = await page.screenshot({fullPage: true})
    expect(shot.readUInt32BE(16)).to.equal(390)
    await fs.writeFile(path.join(dir, 'report-390.png'), shot)
  })

  it('asked the network for nothing: the file is all there is', () => {
    expect(requests.filter((u) => u !== url)).to.deep.equal([])
  })
})
