/** `menu graph --stats`: the menu's picture with its traffic: edges by share, nodes by abandon rate. */
import type {MenuGraph} from '../menu/graph.js'
import type {MenuStats} from './menu-stats.js'

export function withTraffic(graph: MenuGraph, stats: MenuStats): MenuGraph {
  const byId = new Map(stats.nodes.map((n) => [n.id, n]))
  const edges = graph.edges.map((e) => {
    const n = byId.get(e.from)
    if (!n) return e
    if (e.kind === 'then') return {...e, traffic: {count: n.calls, share: n.calls > 0 ? 1 : 0}}
    const count = e.kind === 'invalid' ? n.invalid : e.kind === 'no-input' ? n.noInput : n.choices.find((c) => c.key === e.key)?.count ?? 0
    return {...e, traffic: {count, share: n.answers ? count / n.answers : 0}}
  })
  // An end shape (hang-up, transfer) has one edge in: it carries that edge's count.
  const into = new Map<string, number>()
  for (const e of edges) if (e.traffic) into.set(e.to, (into.get(e.to) ?? 0) + e.traffic.count)
  const nodes = graph.nodes.map((g) => {
    const n = byId.get(g.id)
    if (n) {
      // Handlers that repeat the menu are not drawn as edges: their shares go in the note.
      const repeats = [...(g.note?.includes('invalid') && n.invalid > 0 ? [`invalid ${share(n.invalid, n.answers)}`] : []), ...(g.note?.includes('no input') && n.noInput > 0 ? [`no input ${share(n.noInput, n.answers)}`] : [])]
      return {
        ...g, ...(repeats.length > 0 ? {note: `${g.note} (${repeats.join(', ')})`} : {}),
        traffic: {calls: n.calls, ...(n.kind === 'menu' ? {abandonRate: n.abandonRate} : {})},
      }
    }
    return g.kind === 'hangup' || g.kind === 'transfer' ? {...g, traffic: {calls: into.get(g.id) ?? 0}} : g
  })
  return {...graph, nodes, edges}
}

function share(count: number, of: number): string {
  return `${((count / Math.max(1, of)) * 100).toFixed(1)}%`
}
