/**
 * `ivr menu graph`: the menu as a picture. One graph model (menus, message nodes, and one shape per
 * hang-up or transfer), drawn three ways: SVG laid out by dagre (no external binary), Mermaid, DOT.
 */
import dagre from '@dagrejs/dagre'

import {type Menu, stepsOf, targetOf} from './model.js'

export type GraphFormat = 'svg' | 'mermaid' | 'dot'
export type ShapeKind = 'menu' | 'message' | 'hangup' | 'transfer' | 'missing'

export interface GraphNode {
  id: string
  kind: ShapeKind
  /** First line: the node id, or what the end does. */
  title: string
  /** Second line: the first words of what the caller hears. */
  words?: string
  entry?: boolean
  /** Handlers that just repeat the menu, noted on the node instead of drawn as loops. */
  note?: string
}

export interface GraphEdge {
  from: string
  to: string
  label: string
  /** invalid / no-input handlers are drawn dashed. */
  handler: boolean
}

export interface MenuGraph {
  name?: string
  nodes: GraphNode[]
  edges: GraphEdge[]
}

/** The first words of a text, for a label: at most `max` characters, cut at a word. */
export function firstWords(text: string | undefined, max = 32): string | undefined {
  if (!text) return undefined
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  const cut = flat.slice(0, max)
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,.;:]$/, '')}…`
}

export function menuGraph(menu: Menu): MenuGraph {
  const nodes: GraphNode[] = []
  const edges: GraphEdge[] = []
  const missing = new Set<string>()
  for (const node of menu.nodes.values()) {
    const repeats: string[] = []
    for (const {label, kind, step} of stepsOf(node)) {
      const handler = kind === 'invalid' || kind === 'no-input'
      const edgeLabel = kind === 'then' ? '' : label
      const n = step.next
      if (n.kind === 'hangup' || n.kind === 'transfer') {
        const id = `${node.id}/${label}`
        nodes.push({id, kind: n.kind, title: n.kind === 'hangup' ? 'hang up' : `transfer ${n.to}`, words: firstWords(step.say ?? step.play)})
        edges.push({from: node.id, to: id, label: edgeLabel, handler})
        continue
      }
      const target = targetOf(menu, node, n)
      if (handler && target === node.id && n.kind === 'repeat') {
        repeats.push(label)
        continue
      }
      if (target === undefined || !menu.nodes.has(target)) {
        const id = `?${target ?? `${node.id}/${label}`}`
        if (!missing.has(id)) nodes.push({id, kind: 'missing', title: target === undefined ? `${n.kind}: nowhere` : `missing: ${target}`})
        missing.add(id)
        edges.push({from: node.id, to: id, label: edgeLabel, handler})
        continue
      }
      edges.push({from: node.id, to: target, label: edgeLabel, handler})
    }
    if (node.kind === 'menu' && !node.invalid) repeats.push('invalid')
    if (node.kind === 'menu' && !node.noInput) repeats.push('no input')
    nodes.push({
      id: node.id, kind: node.kind, title: node.id, words: firstWords(node.say ?? node.play),
      ...(node.id === menu.entry ? {entry: true} : {}),
      ...(repeats.length > 0 ? {note: `${repeats.join(', ')}: repeat`} : {}),
    })
  }
  // Menus first, in file order, then the ends: dagre keeps a stable order.
  const order: ShapeKind[] = ['menu', 'message', 'transfer', 'hangup', 'missing']
  nodes.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))
  return {...(menu.name ? {name: menu.name} : {}), nodes, edges}
}

// ---- SVG -------------------------------------------------------------------------------------

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
const CHAR_W = 7
const LINE_H = 16

const STYLE: Record<ShapeKind, {fill: string; stroke: string}> = {
  menu: {fill: '#e8f0fe', stroke: '#1a56db'},
  message: {fill: '#f3f4f6', stroke: '#4b5563'},
  hangup: {fill: '#fde8e8', stroke: '#c81e1e'},
  transfer: {fill: '#def7ec', stroke: '#057a55'},
  missing: {fill: '#fff8e1', stroke: '#b45309'},
}

function lines(n: GraphNode): string[] {
  return [n.title, ...(n.words ? [`“${n.words}”`] : []), ...(n.note ? [n.note] : [])]
}

function shapeSvg(n: GraphNode, x: number, y: number, w: number, h: number): string {
  const {fill, stroke} = STYLE[n.kind]
  const sw = n.entry ? 3 : 1.5
  const l = x - w / 2
  const t = y - h / 2
  const paint = `fill="${fill}" stroke="${stroke}" stroke-width="${sw}"`
  switch (n.kind) {
    case 'menu': return `<rect x="${l}" y="${t}" width="${w}" height="${h}" rx="10" ${paint}/>`
    case 'message': return `<rect x="${l}" y="${t}" width="${w}" height="${h}" ${paint}/>`
    case 'missing': return `<rect x="${l}" y="${t}" width="${w}" height="${h}" stroke-dasharray="4 3" ${paint}/>`
    case 'transfer': {
      const d = 14
      return `<polygon points="${l},${y} ${l + d},${t} ${l + w - d},${t} ${l + w},${y} ${l + w - d},${t + h} ${l + d},${t + h}" ${paint}/>`
    }
    case 'hangup': {
      const d = 10
      return `<polygon points="${l + d},${t} ${l + w - d},${t} ${l + w},${t + d} ${l + w},${t + h - d} ${l + w - d},${t + h} ${l + d},${t + h} ${l},${t + h - d} ${l},${t + d}" ${paint}/>`
    }
  }
}

/** An SVG document (standalone, opens in a browser), laid out top to bottom by dagre. */
export function renderSvg(graph: MenuGraph): string {
  const g = new dagre.graphlib.Graph({multigraph: true})
  g.setGraph({rankdir: 'TB', nodesep: 30, ranksep: 60, edgesep: 15, marginx: 20, marginy: 20})
  g.setDefaultEdgeLabel(() => ({}))
  for (const n of graph.nodes) {
    const ls = lines(n)
    const width = Math.max(...ls.map((s) => s.length)) * CHAR_W + 32
    g.setNode(n.id, {width, height: ls.length * LINE_H + 16})
  }
  graph.edges.forEach((e, i) => {
    g.setEdge(e.from, e.to, {label: e.label, width: e.label.length * CHAR_W + 6, height: e.label ? 14 : 0, labelpos: 'c'}, `e${i}`)
  })
  dagre.layout(g)
  const size = g.graph()
  const width = Math.ceil(size.width ?? 200)
  const height = Math.ceil(size.height ?? 100)
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`)
  out.push(`<title>${xml(graph.name ?? 'IVR menu')}</title>`)
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker></defs>')
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`)
  graph.edges.forEach((e, i) => {
    const edge = g.edge(e.from, e.to, `e${i}`) as {points: Array<{x: number; y: number}>; x?: number; y?: number}
    const d = edge.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
    out.push(`<path class="edge" data-from="${xml(e.from)}" data-to="${xml(e.to)}" d="${d}" fill="none" stroke="#374151" stroke-width="1.2"${e.handler ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`)
    if (e.label && edge.x !== undefined && edge.y !== undefined) {
      const w = e.label.length * CHAR_W + 6
      out.push(`<rect x="${(edge.x - w / 2).toFixed(1)}" y="${(edge.y - 8).toFixed(1)}" width="${w}" height="16" rx="3" fill="#ffffff" opacity="0.9"/>`)
      out.push(`<text x="${edge.x.toFixed(1)}" y="${(edge.y + 4).toFixed(1)}" text-anchor="middle" font-weight="bold" fill="#111827">${xml(e.label)}</text>`)
    }
  })
  for (const n of graph.nodes) {
    const box = g.node(n.id) as unknown as {x: number; y: number; width: number; height: number}
    out.push(`<g class="node ${n.kind}" id="${xml(`node-${n.id}`)}">`)
    out.push(shapeSvg(n, box.x, box.y, box.width, box.height))
    const ls = lines(n)
    const top = box.y - (ls.length * LINE_H) / 2 + 12
    ls.forEach((s, j) => {
      const weight = j === 0 ? ' font-weight="bold"' : ''
      const fill = j === 0 ? '#111827' : '#374151'
      out.push(`<text x="${box.x.toFixed(1)}" y="${(top + j * LINE_H).toFixed(1)}" text-anchor="middle"${weight} fill="${fill}">${xml(s)}</text>`)
    })
    out.push('</g>')
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}

// ---- Mermaid and DOT ---------------------------------------------------------------------------

/** Ids safe in Mermaid and DOT: n0, n1, ... in graph order. */
function shortIds(graph: MenuGraph): Map<string, string> {
  return new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]))
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'))

export function renderMermaid(graph: MenuGraph): string {
  const ids = shortIds(graph)
  const out = ['flowchart TD']
  for (const n of graph.nodes) {
    const text = lines(n).map(mermaidText).join('<br/>')
    const id = ids.get(n.id)!
    // Mermaid has no octagon: hang-ups are stadiums; transfers hexagons as in the SVG and DOT.
    const shape = n.kind === 'menu' ? `("${text}")` : n.kind === 'hangup' ? `(["${text}"])` : n.kind === 'transfer' ? `{{"${text}"}}` : `["${text}"]`
    out.push(`  ${id}${shape}`)
  }
  for (const e of graph.edges) {
    const arrow = e.handler ? '-.->' : '-->'
    out.push(`  ${ids.get(e.from)} ${arrow}${e.label ? `|"${mermaidText(e.label)}"|` : ''} ${ids.get(e.to)}`)
  }
  out.push('  classDef menu fill:#e8f0fe,stroke:#1a56db', '  classDef hangup fill:#fde8e8,stroke:#c81e1e', '  classDef transfer fill:#def7ec,stroke:#057a55')
  for (const kind of ['menu', 'hangup', 'transfer'] as const) {
    const members = graph.nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.id))
    if (members.length > 0) out.push(`  class ${members.join(',')} ${kind}`)
  }
  return out.join('\n') + '\n'
}

const dotText = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

export function renderDot(graph: MenuGraph): string {
  const ids = shortIds(graph)
  const out = [`digraph menu {`, `  label="${dotText(graph.name ?? '')}"; labelloc=t; rankdir=TB;`, '  node [fontname="Helvetica", fontsize=11]; edge [fontname="Helvetica", fontsize=10];']
  const shape: Record<ShapeKind, string> = {menu: 'box, style="rounded,filled", fillcolor="#e8f0fe"', message: 'box, style=filled, fillcolor="#f3f4f6"', hangup: 'octagon, style=filled, fillcolor="#fde8e8"', transfer: 'hexagon, style=filled, fillcolor="#def7ec"', missing: 'box, style=dashed'}
  for (const n of graph.nodes) {
    out.push(`  ${ids.get(n.id)} [label="${dotText(lines(n).join('\n')).replace(/\n/g, '\\n')}", shape=${shape[n.kind]}${n.entry ? ', penwidth=3' : ''}];`)
  }
  for (const e of graph.edges) out.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)} [label="${dotText(e.label)}"${e.handler ? ', style=dashed' : ''}];`)
  out.push('}')
  return out.join('\n') + '\n'
}

export function renderGraph(menu: Menu, format: GraphFormat): string {
  const graph = menuGraph(menu)
  return format === 'svg' ? renderSvg(graph) : format === 'mermaid' ? renderMermaid(graph) : renderDot(graph)
}
