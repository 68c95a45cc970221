import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {projectRoot} from '../../helpers/run.js'
import {menuGraph, renderDot, renderMermaid, renderSvg} from '../../../src/lib/menu/graph.js'
import {parseMenuText} from '../../../src/lib/menu/model.js'
import {checkWellFormed} from './xml.js'

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])

describe('menu graph', () => {
  for (const name of ['restaurant.yaml', 'support-callback.yaml']) {
    it(`draws ${name} as well-formed SVG naming every node, with distinct shapes for transfers and hang-ups`, async () => {
      const menu = parseMenuText(await fs.readFile(path.join(projectRoot, 'examples', 'menus', name), 'utf8'), name).menu!
      const svg = renderSvg(menuGraph(menu))
      expect(() => checkWellFormed(svg)).not.to.throw()
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true)
      const labels = texts(svg)
      for (const id of menu.nodes.keys()) expect(labels, id).to.include(id)
      expect(svg).to.match(/<g class="node transfer"[^>]*>\s*<polygon/)
      expect(svg).to.match(/<g class="node hangup"[^>]*>\s*<polygon/)
      expect(labels.some((t) => t.startsWith('transfer +656222'))).to.equal(true)
    })
  }

  it('puts the key of an edge back up to main by the node it leaves, not among main\'s own keys', async () => {
    const menu = parseMenuText(await fs.readFile(path.join(projectRoot, 'examples', 'menus', 'restaurant.yaml'), 'utf8'), 'r.yaml').menu!
    const svg = renderSvg(menuGraph(menu)).replace(/\n/g, '')
    const box = (id: string) => {
      const m = new RegExp(`id="node-${id}"[^>]*>\\s*<rect x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`).exec(svg)!
      return {x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4])}
    }
    // Distance from a point to a box (0 inside it).
    const gap = (p: {x: number; y: number}, b: {x: number; y: number; w: number; h: number}) => Math.hypot(Math.max(b.x - p.x, 0, p.x - b.x - b.w), Math.max(b.y - p.y, 0, p.y - b.y - b.h))
    const back = [...svg.matchAll(/<path class="edge" data-from="([^"]+)" data-to="main"[^>]*\/><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)]
    expect(back.map((m) => m[1]).sort()).to.deep.equal(['reservations', 'staff'])
    for (const m of back) {
      const label = {x: Number(m[2]) + Number(m[4]) / 2, y: Number(m[3]) + 8}
      expect(gap(label, box(m[1])), `${m[1]} → main`).to.be.lessThan(gap(label, box('main')))
    }
  })

  it('escapes what the menu says, and labels edges with the keys', () => {
    const menu = parseMenuText('nodes:\n  main:\n    say: "Press 1 for <Sales> & \\"more\\"."\n    choices:\n      "1": {say: "Bye & thanks", hangup: true}\n', 'm.yaml').menu!
    const svg = renderSvg(menuGraph(menu))
    expect(() => checkWellFormed(svg)).not.to.throw()
    expect(svg).to.contain('&lt;Sales&gt; &amp; &quot;more')
    expect(texts(svg)).to.include('1')
  })

  it('writes Mermaid and DOT with one line per node and edge', async () => {
    const menu = parseMenuText(await fs.readFile(path.join(projectRoot, 'examples', 'menus', 'restaurant.yaml'), 'utf8'), 'r.yaml').menu!
    const graph = menuGraph(menu)
    const mermaid = renderMermaid(graph)
    expect(mermaid.split('\n')[0]).to.equal('flowchart TD')
    expect(mermaid).to.contain('n0("main<br/>“Welcome to Bella Tavola. For…”')
    expect(mermaid).to.match(/-->\|"1"\|/)
    const dot = renderDot(graph)
    expect(dot).to.match(/^digraph menu \{/)
    expect(dot.match(/->/g)).to.have.length(graph.edges.length)
    expect(dot).to.contain('shape=hexagon')
    expect(dot).to.contain('shape=octagon')
  })
})
