import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {runIvr} from '../../helpers/run.js'
import {checkWellFormed} from '../../lib/menu/xml.js'

describe('menu graph (command)', () => {
  it('writes an SVG file that names every node of the restaurant menu', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-graph-'))
    const out = path.join(dir, 'restaurant.svg')
    const r = await runIvr(['menu', 'graph', 'examples/menus/restaurant.yaml', '--out', out])
    expect(r.exitCode).to.equal(0)
    const svg = await fs.readFile(out, 'utf8')
    checkWellFormed(svg)
    for (const id of ['main', 'hours', 'reservations', 'book', 'change', 'staff']) expect(svg).to.contain(`>${id}</text>`)
    expect(r.stderr).to.contain('Wrote')
  })

  it('says how many shapes the file it wrote has (hang-ups and transfers included)', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-graph-'))
    const out = path.join(dir, 'x.dot')
    const r = await runIvr(['menu', 'graph', 'examples/menus/restaurant.yaml', '-o', out])
    expect(r.exitCode, r.stderr).to.equal(0)
    const shapes = (await fs.readFile(out, 'utf8')).split('\n').filter((l) => /^\s*n\d+ \[/.test(l)).length
    expect(shapes).to.be.greaterThan(6)
    expect(r.stderr).to.contain(`Wrote ${out} (dot, ${shapes} nodes)`)
  })

  it('prints Mermaid or DOT to stdout', async () => {
    const m = await runIvr(['menu', 'graph', 'examples/menus/support-callback.yaml', '--format', 'mermaid'])
    expect(m.stdout.split('\n')[0]).to.equal('flowchart TD')
    const d = await runIvr(['menu', 'graph', 'examples/menus/support-callback.yaml', '-f', 'dot'])
    expect(d.stdout).to.match(/^digraph menu \{/)
  })
})
