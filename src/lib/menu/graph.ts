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
  /** With --stats: calls that entered, and the share who hung up while in it (menu nodes). */
  traffic?: {calls: number; abandonRate?: number}
}

export interface GraphEdge {
  from: string
  to: string
  label: string
  /** invalid / no-input handlers are drawn dashed. */
  handler: boolean
  /** Which step of the `from` node it draws. */
  kind: 'choice' | 'invalid' | 'no-input' | 'then'
  key?: string
  /** With --stats: how many took it, and their share of the answers given in `from`. */
  traffic?: {count: number; share: number}
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
    for (const {label, kind, key, step} of stepsOf(node)) {
      const what = {kind, ...(key === undefined ? {} : {key})}
      const handler = kind === 'invalid' || kind === 'no-input'
      const edgeLabel = kind === 'then' ? '' : label
      const n = step.next
      if (n.kind === 'hangup' || n.kind === 'transfer') {
        const id = `${node.id}/${label}`
        nodes.push({id, kind: n.kind, title: n.kind === 'hangup' ? 'hang up' : `transfer ${n.to}`, words: firstWords(step.say ?? step.play)})
        edges.push({from: node.id, to: id, label: edgeLabel, handler, ...what})
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
        edges.push({from: node.id, to: id, label: edgeLabel, handler, ...what})
        continue
      }
      edges.push({from: node.id, to: target, label: edgeLabel, handler, ...what})
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

const percent = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`

function trafficLine(n: GraphNode): string[] {
  if (!n.traffic) return []
  const {calls, abandonRate} = n.traffic
  return [`${calls.toLocaleString('en-US')} call${calls === 1 ? '' : 's'}${abandonRate === undefined ? '' : ` · ${percent(abandonRate)} hung up`}`]
}

function lines(n: GraphNode): string[] {
  return [n.title, ...(n.words ? [`“${n.words}”`] : []), ...(n.note ? [n.note] : []), ...trafficLine(n)]
}

/** An edge's label: the keys, and with traffic their share (a `then` edge: how many went on). */
function edgeText(e: GraphEdge): string {
  if (!e.traffic) return e.label
  return e.label ? `${e.label} · ${percent(e.traffic.share)}` : e.traffic.count.toLocaleString('en-US')
}

/** Line width by share: 1.2 px for none, up to about 8 px for all. */
const edgeWidth = (e: GraphEdge) => (e.traffic ? 1.2 + 7 * Math.min(1, e.traffic.share) : 1.2)

/** Abandon-rate bands (fill colours), for nodes drawn with traffic. */
export const ABANDON_BANDS = [
  {below: 0.05, fill: '#dcfce7', label: 'under 5% hung up'},
  {below: 0.15, fill: '#fef3c7', label: '5–15% hung up'},
  {below: Infinity, fill: '#fee2e2', label: '15% or more hung up'},
] as const
const abandonFill = (rate: number) => ABANDON_BANDS.find((b) => rate < b.below)!.fill

function shapeSvg(n: GraphNode, x: number, y: number, w: number, h: number): string {
  const {stroke} = STYLE[n.kind]
  const fill = n.traffic?.abandonRate === undefined ? STYLE[n.kind].fill : abandonFill(n.traffic.abandonRate)
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

/**
 * Where an edge's label goes: mid-edge (dagre's place), except on an edge that goes back up (to
 * `main`, say), whose middle is among the labels leaving the node above: there, just past where it
 * leaves its own node, so the key reads as pressed in that node.
 */
function labelPoint(edge: {points: Array<{x: number; y: number}>; x?: number; y?: number}, from: {y: number}, to: {y: number}): {x: number; y: number} | undefined {
  if (edge.x === undefined || edge.y === undefined) return undefined
  const [p0, p1] = edge.points
  if (!(to.y < from.y) || !p0 || !p1) return {x: edge.x, y: edge.y}
  const dx = p1.x - p0.x
  const dy = p1.y - p0.y
  const len = Math.hypot(dx, dy)
  const along = Math.min(len / 2, 22)
  return len === 0 ? {x: p0.x, y: p0.y} : {x: p0.x + (dx / len) * along, y: p0.y + (dy / len) * along}
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
    const text = edgeText(e)
    g.setEdge(e.from, e.to, {label: text, width: text.length * CHAR_W + 6, height: text ? 14 : 0, labelpos: 'c'}, `e${i}`)
  })
  dagre.layout(g)
  const size = g.graph()
  const withTraffic = graph.nodes.some((n) => n.traffic?.abandonRate !== undefined)
  const legendH = withTraffic ? 34 : 0
  const width = Math.max(withTraffic ? 520 : 0, Math.ceil(size.width ?? 200))
  const graphH = Math.ceil(size.height ?? 100)
  const height = graphH + legendH
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`)
  out.push(`<title>${xml(graph.name ?? 'IVR menu')}</title>`)
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker></defs>')
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`)
  graph.edges.forEach((e, i) => {
    const edge = g.edge(e.from, e.to, `e${i}`) as {points: Array<{x: number; y: number}>; x?: number; y?: number}
    const d = edge.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
    const traffic = e.traffic ? ` data-count="${e.traffic.count}" data-share="${e.traffic.share}"` : ''
    out.push(`<path class="edge" data-from="${xml(e.from)}" data-to="${xml(e.to)}"${traffic} d="${d}" fill="none" stroke="#374151" stroke-width="${edgeWidth(e).toFixed(1)}"${e.handler ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`)
    const text = edgeText(e)
    const at = labelPoint(edge, g.node(e.from) as unknown as {y: number}, g.node(e.to) as unknown as {y: number})
    if (text && at) {
      const w = text.length * CHAR_W + 6
      out.push(`<rect x="${(at.x - w / 2).toFixed(1)}" y="${(at.y - 8).toFixed(1)}" width="${w}" height="16" rx="3" fill="#ffffff" opacity="0.9"/>`)
      out.push(`<text x="${at.x.toFixed(1)}" y="${(at.y + 4).toFixed(1)}" text-anchor="middle" font-weight="bold" fill="#111827">${xml(text)}</text>`)
    }
  })
  for (const n of graph.nodes) {
    const box = g.node(n.id) as unknown as {x: number; y: number; width: number; height: number}
    const data = n.traffic ? ` data-calls="${n.traffic.calls}"${n.traffic.abandonRate === undefined ? '' : ` data-abandon-rate="${n.traffic.abandonRate}"`}` : ''
    out.push(`<g class="node ${n.kind}" id="${xml(`node-${n.id}`)}"${data}>`)
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
  if (withTraffic) {
    // The colour key, below the graph.
    out.push(`<g class="legend" transform="translate(20,${graphH + 8})">`)
    ABANDON_BANDS.forEach((b, i) => {
      out.push(`<rect x="${i * 165}" y="0" width="14" height="14" fill="${b.fill}" stroke="#6b7280"/>`, `<text x="${i * 165 + 20}" y="11" fill="#374151">${xml(b.label)}</text>`)
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
    const text = edgeText(e)
    out.push(`  ${ids.get(e.from)} ${arrow}${text ? `|"${mermaidText(text)}"|` : ''} ${ids.get(e.to)}`)
  }
  out.push('  classDef menu fill:#e8f0fe,stroke:#1a56db', '  classDef hangup fill:#fde8e8,stroke:#c81e1e', '  classDef transfer fill:#def7ec,stroke:#057a55')
  for (const kind of ['menu', 'hangup', 'transfer'] as const) {
    const members = graph.nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.id))
    if (members.length > 0) out.push(`  class ${members.join(',')} ${kind}`)
  }
  // Traffic: line widths by share (linkStyle counts edges in the order drawn), fills by abandon rate.
  graph.edges.forEach((e, i) => {
    if (e.traffic) out.push(`  linkStyle ${i} stroke-width:${edgeWidth(e).toFixed(1)}px`)
  })
  for (const n of graph.nodes) {
    if (n.traffic?.abandonRate !== undefined) out.push(`  style ${ids.get(n.id)} fill:${abandonFill(n.traffic.abandonRate)}`)
  }
  return out.join('\n') + '\n'
}

const dotText = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

export function renderDot(graph: MenuGraph): string {
  const ids = shortIds(graph)
  const out = [`digraph menu {`, `  label="${dotText(graph.name ?? '')}"; labelloc=t; rankdir=TB;`, '  node [fontname="Helvetica", fontsize=11]; edge [fontname="Helvetica", fontsize=10];']
  const shape: Record<ShapeKind, string> = {menu: 'box, style="rounded,filled", fillcolor="#e8f0fe"', message: 'box, style=filled, fillcolor="#f3f4f6"', hangup: 'octagon, style=filled, fillcolor="#fde8e8"', transfer: 'hexagon, style=filled, fillcolor="#def7ec"', missing: 'box, style=dashed'}
  for (const n of graph.nodes) {
    const fill = n.traffic?.abandonRate === undefined ? '' : `, fillcolor="${abandonFill(n.traffic.abandonRate)}"`
    out.push(`  ${ids.get(n.id)} [label="${dotText(lines(n).join('\n')).replace(/\n/g, '\\n')}", shape=${shape[n.kind]}${n.entry ? ', penwidth=3' : ''}${fill}];`)
  }
  for (const e of graph.edges) out.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)} [label="${dotText(edgeText(e))}"${e.handler ? ', style=dashed' : ''}${e.traffic ? `, penwidth=${edgeWidth(e).toFixed(1)}` : ''}];`)
  out.push('}')
  return out.join('\n') + '\n'
}

export function renderGraph(menu: Menu, format: GraphFormat, decorate?: (g: MenuGraph) => MenuGraph): string {
  return drawGraph(menu, format, decorate).text
}

/** The drawing and how many shapes it has (menu nodes, hang-ups, transfers, missing targets). */
export function drawGraph(menu: Menu, format: GraphFormat, decorate?: (g: MenuGraph) => MenuGraph): {text: string; nodes: number} {
  const graph = decorate ? decorate(menuGraph(menu)) : menuGraph(menu)
  return {text: format === 'svg' ? renderSvg(graph) : format === 'mermaid' ? renderMermaid(graph) : renderDot(graph), nodes: graph.nodes.length}
}
