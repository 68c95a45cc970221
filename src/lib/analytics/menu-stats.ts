/**
 * `ivr menu stats`: the decision log joined with the session summaries by session id. Two streaming
 * passes: the decisions of one menu, folded per session into a small state and per node into
 * counters; then the summaries of those sessions only. Memory holds one small record per session
 * and one duration per visit, never the lines.
 */
import {usageError} from '../errors.js'
import type {Menu} from '../menu/model.js'
import {chooseStore} from '../sessions/location.js'
import {readSummary} from '../webhooks/parse.js'
import {parseSince, scanSummaries} from '../sessions/query.js'
import {forEachLine, type Warn} from '../sessions/store.js'
import {chooseDecisionsFile, menuFingerprint, menuLabel, type Decision, type DecisionInput, type DecisionOutcome} from './decisions.js'

export interface StatsFilter {
  /** Sessions whose first decision is at or after this. */
  since?: Date
  /** ... and before this. */
  until?: Date
  /** Only decisions of this menu version (a fingerprint or a prefix of one). */
  version?: string
}

export interface ChoiceStat {
  key: string
  /** Where it leads now (a node id, `hangup`, `transfer`...), from the menu given; undefined for a key the menu no longer has. */
  target?: string
  count: number
  /** Of the answers given in the node. */
  share: number
}

export interface NodeStat {
  id: string
  kind: 'menu' | 'message' | 'unknown'
  /** Calls that entered the node at least once. */
  calls: number
  /** Times it was entered (repeats and returns included). */
  visits: number
  /** Call actions answered from the node (menu nodes): choices + invalid + no input. */
  answers: number
  choices: ChoiceStat[]
  invalid: number
  invalidRate: number
  noInput: number
  noInputRate: number
  /** Calls that hung up while in the node (their summary arrived, no further decision). */
  abandoned: number
  /** abandoned / calls. */
  abandonRate: number
  transfers: number
  /** Transfers whose transferred leg was answered, per the session summary. */
  transfersAnswered: number
  /** Transfers whose summary has not arrived, so it is not known. */
  transfersUnknown: number
  /** Median seconds from entering the node to the caller's answer (or hang-up). */
  medianSec?: number
}

export type PathEnd = 'hangup' | 'transfer' | 'apology' | 'abandon' | 'no summary yet'

export interface PathStat {
  /** `main 2 › staff 1`: each menu node and what was pressed there. */
  steps: string[]
  end: PathEnd
  /** The node the path ended in (for abandon: where the caller hung up). */
  endNode?: string
  count: number
  share: number
}

export interface VersionStat {
  version: string
  decisions: number
  sessions: number
  first: string
  last: string
  /** The version of the menu file given. */
  current: boolean
}

export interface MenuStats {
  menu: string
  version: string
  filter: {since?: string; until?: string; version?: string}
  /** Sessions with decisions of this menu in the window. */
  sessions: number
  /** Of which the summary has arrived. */
  withSummary: number
  /** Of which it has not (still running, or `sessions tail` was not running): counted apart. */
  noSummary: number
  decisions: number
  /** How the sessions with a summary left the menu. */
  ends: Record<Exclude<PathEnd, 'no summary yet'>, number>
  /** Session statuses of the sessions with a summary. */
  statuses: Record<string, number>
  nodes: NodeStat[]
  paths: PathStat[]
  versions: VersionStat[]
  /** Requests the menu could not place (unknown node, unreadable body). */
  unknown: number
}

const INPUT_CODE: Record<DecisionInput, number> = {call: 0, choice: 1, invalid: 2, 'no-input': 3, unknown: 4}
const END_OF: Partial<Record<DecisionOutcome, PathEnd>> = {hangup: 'hangup', transfer: 'transfer', apology: 'apology'}

/** What a decision line says besides its time and session, worked out once per distinct text. */
interface Rest {
  /** Of the menu (and version) asked about. */
  ours: boolean
  version: number
  /** Node index the call action came from, -1 for none. */
  node: number
  code: number
  digits: string
  /** Index of its step label (`main 2`), -1 when it is not an answer from a node. */
  step: number
  transfer: boolean
  end?: PathEnd
  entered: number[]
}

const HEAD = Buffer.from('{"time":"')
const SESSION = Buffer.from('","session":"')
const ISO_LENGTH = 24 // 2026-12-01T08:00:01.204Z

const digitsAt = (buf: Buffer, at: number, n: number): number => {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const d = buf[i] - 48
    if (d < 0 || d > 9) return Number.NaN
    v = v * 10 + d
  }
  return v
}

/**
 * The time and session of a line as the decision log writes it (`{"time":"<ISO>","session":"<id>",...`),
 * read from the bytes without parsing the line; undefined for any other shape.
 */
function readHead(buf: Buffer, start: number, end: number): {time: number; session: string; restStart: number} | undefined {
  const t = start + HEAD.length
  const s = t + ISO_LENGTH + SESSION.length
  if (s >= end || buf.compare(HEAD, 0, HEAD.length, start, t) !== 0 || buf[t + ISO_LENGTH - 1] !== 90 /* Z */) return undefined
  if (buf.compare(SESSION, 0, SESSION.length, t + ISO_LENGTH, s) !== 0) return undefined
  const time = Date.UTC(digitsAt(buf, t, 4), digitsAt(buf, t + 5, 2) - 1, digitsAt(buf, t + 8, 2), digitsAt(buf, t + 11, 2), digitsAt(buf, t + 14, 2), digitsAt(buf, t + 17, 2), digitsAt(buf, t + 20, 3))
  let close = s
  while (close < end && buf[close] !== 34) {
    if (buf[close] === 92) return undefined // an escaped id: read the slow way
    close++
  }
  if (!Number.isFinite(time) || close >= end) return undefined
  return {time, session: buf.toString('utf8', s, close), restStart: close + 1}
}

/** What is kept of one session between the passes. */
interface Trace {
  /** Node index the caller waits in (-1: none, the session left the menu). */
  at: number
  /** When they entered it (ms), NaN when not known (an outbound call's first node). */
  since: number
  visited: number[]
  /** Indices into the step labels (`main 2`). */
  steps: number[]
  /** Bit per version seen (the first 30), to count sessions per version. */
  versions: number
  end?: PathEnd
  endNode?: number
  transferNode?: number
  summary: boolean
}

interface NodeAcc {
  id: string
  calls: number
  visits: number
  answers: number
  keys: Map<string, number>
  invalid: number
  noInput: number
  abandoned: number
  transfers: number
  transfersAnswered: number
  durations: number[]
}

/** One decision line as the log holds it. */
type Line = Decision

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined
  const s = Float64Array.from(xs).sort()
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** Where a key of a node leads in the menu given: a node id, or what ends the call. */
function targetOfKey(menu: Menu, nodeId: string, key: string): string | undefined {
  const step = menu.nodes.get(nodeId)?.choices.get(key)
  if (!step) return undefined
  const n = step.next
  return n.kind === 'goto' ? n.node : n.kind
}

export async function computeMenuStats(opts: {
  menu: Menu
  label: string
  decisionsFile: string
  storeFile: string
  filter?: StatsFilter
  topPaths?: number
  warn?: Warn
}): Promise<MenuStats> {
  const {menu, label} = opts
  const filter = opts.filter ?? {}
  const current = menuFingerprint(menu)
  const since = filter.since?.getTime() ?? -Infinity
  const until = filter.until?.getTime() ?? Infinity

  const index = new Map<string, number>()
  const nodes: NodeAcc[] = []
  const nodeIndex = (id: string): number => {
    let i = index.get(id)
    if (i === undefined) {
      i = nodes.length
      index.set(id, i)
      nodes.push({id, calls: 0, visits: 0, answers: 0, keys: new Map(), invalid: 0, noInput: 0, abandoned: 0, transfers: 0, transfersAnswered: 0, durations: []})
    }
    return i
  }
  for (const id of menu.nodes.keys()) nodeIndex(id)

  const traces = new Map<string, Trace | null>()
  const versionList: Array<{version: string; decisions: number; sessions: number; first: number; last: number}> = []
  const versionIndex = new Map<string, number>()
  const stepLabels: string[] = []
  const stepIndex = new Map<string, number>()
  let decisions = 0
  let unknown = 0
  let badLines = 0
  // The menu's name as it appears in a line: a cheap test before parsing.
  const needle = Buffer.from(`"menu":${JSON.stringify(label)},`)

  /** Everything of a line but its time and session: few distinct values, so each is worked out once. */
  const restOf = (d: Line): Rest => {
    const code = INPUT_CODE[d.input] ?? 4
    const ours = d.menu === label && typeof d.version === 'string' && (!filter.version || d.version.startsWith(filter.version))
    let version = -1
    if (ours) {
      version = versionIndex.get(d.version) ?? -1
      if (version === -1) {
        version = versionList.length
        versionIndex.set(d.version, version)
        versionList.push({version: d.version, decisions: 0, sessions: 0, first: Infinity, last: -Infinity})
      }
    }
    const node = d.node === null || !ours ? -1 : nodeIndex(d.node)
    let step = -1
    if (node !== -1 && code !== 4) {
      const text = `${d.node} ${code === 1 ? d.digits : code === 2 ? 'invalid' : 'no input'}`
      step = stepIndex.get(text) ?? -1
      if (step === -1) {
        step = stepLabels.length
        stepIndex.set(text, step)
        stepLabels.push(text)
      }
    }
    return {ours, version, node, code, digits: d.digits ?? '', step, transfer: d.outcome === 'transfer', end: END_OF[d.outcome], entered: ours ? (d.entered ?? []).map(nodeIndex) : []}
  }
  const rests = new Map<number, Array<{bytes: Buffer; rest: Rest}>>()
  let cached = 0

  const enter = (t: Trace, ids: number[]) => {
    for (const i of ids) {
      nodes[i].visits++
      if (!t.visited.includes(i)) {
        t.visited.push(i)
        nodes[i].calls++
      }
    }
    return ids.length === 0 ? -1 : ids.at(-1)!
  }

  const fold = (session: string, at: number, r: Rest) => {
    let t = traces.get(session)
    if (t === undefined) {
      // A session belongs to the window it started in.
      if (!(at >= since && at < until)) {
        traces.set(session, null)
        return
      }
      t = {at: -1, since: Number.NaN, visited: [], steps: [], summary: false, versions: 0}
      traces.set(session, t)
      // No CALL_RECEIVED: an outbound call opened in this node (send-callflow --menu, campaigns).
      if (r.node !== -1) t.at = enter(t, [r.node])
    } else if (t === null) {
      return
    }
    decisions++
    const v = versionList[r.version]
    v.decisions++
    const bit = r.version < 30 ? 1 << r.version : 0
    if (bit === 0 || (t.versions & bit) === 0) v.sessions++
    t.versions |= bit
    if (at < v.first) v.first = at
    if (at > v.last) v.last = at
    if (r.code === 4) unknown++
    if (r.step !== -1) {
      const n = nodes[r.node]
      n.answers++
      if (t.at === r.node && Number.isFinite(t.since)) n.durations.push((at - t.since) / 1000)
      if (r.code === 1) n.keys.set(r.digits, (n.keys.get(r.digits) ?? 0) + 1)
      else if (r.code === 2) n.invalid++
      else if (r.code === 3) n.noInput++
      t.steps.push(r.step)
      if (r.transfer) {
        n.transfers++
        t.transferNode = r.node
      }
    }
    const next = enter(t, r.entered)
    if (r.end) {
      t.end = r.end
      t.endNode = next >= 0 ? next : r.node === -1 ? undefined : r.node
      t.at = -1
    } else {
      t.at = next
      t.since = at
    }
  }

  const parseLine = (buf: Buffer, start: number, end: number, torn: boolean): Line | undefined => {
    try {
      return JSON.parse(buf.toString('utf8', start, end))
    } catch {
      if (!torn) badLines++
      return undefined
    }
  }

  // In the writer's lines the menu comes right after the session: `,"menu":"<name>",`.
  const menuField = Buffer.concat([Buffer.from(','), needle])
  await forEachLine(opts.decisionsFile, (buf, start, end, _lineNo, torn) => {
    // The writer's own lines: time and session read from the bytes, the rest looked up by its bytes.
    const head = readHead(buf, start, end)
    if (head) {
      if (buf.compare(menuField, 0, menuField.length, head.restStart, Math.min(end, head.restStart + menuField.length)) !== 0) return
      let h = 0x811c9dc5
      for (let i = head.restStart; i < end; i++) h = Math.imul(h ^ buf[i], 16_777_619)
      const bucket = rests.get(h)
      const len = end - head.restStart
      let rest: Rest | undefined
      if (bucket) {
        for (const c of bucket) {
          if (c.bytes.length === len && buf.compare(c.bytes, 0, len, head.restStart, end) === 0) {
            rest = c.rest
            break
          }
        }
      }
      if (!rest) {
        const d = parseLine(buf, start, end, torn)
        if (!d) return
        rest = restOf(d)
        if (cached < 100_000) {
          cached++
          const entry = {bytes: Buffer.from(buf.subarray(head.restStart, end)), rest}
          if (bucket) bucket.push(entry)
          else rests.set(h, [entry])
        }
      }
      if (rest.ours) fold(head.session, head.time, rest)
      return
    }
    if (buf.subarray(start, end).indexOf(needle) === -1) return
    const d = parseLine(buf, start, end, torn)
    if (!d || typeof d.session !== 'string') return
    const rest = restOf(d)
    if (rest.ours) fold(d.session, Date.parse(d.time), rest)
  })
  if (badLines > 0) opts.warn?.(`${badLines} line${badLines === 1 ? '' : 's'} of ${opts.decisionsFile} could not be read; skipped.`)

  // Pass 2: the summaries of these sessions.
  const statuses: Record<string, number> = {}
  await scanSummaries(opts.storeFile, {}, (row, line, sessionIdOf) => {
    const id = sessionIdOf()
    const t = id === undefined ? undefined : traces.get(id)
    if (!t || t.summary) return
    t.summary = true
    statuses[row.status] = (statuses[row.status] ?? 0) + 1
    if (t.at !== -1) {
      // Still waiting in a menu when the session ended: the caller hung up there.
      const n = nodes[t.at]
      n.abandoned++
      if (Number.isFinite(t.since) && Number.isFinite(row.time) && row.time >= t.since) n.durations.push((row.time - t.since) / 1000)
      t.end = 'abandon'
      t.endNode = t.at
    }
    if (t.transferNode !== undefined) {
      // Connected seconds beyond the first leg's: a later leg (the transfer) was answered. Else the legs tell.
      if (row.durationSec !== undefined && row.legSeconds > row.durationSec) {
        nodes[t.transferNode].transfersAnswered++
        return
      }
      const legs = readSummary(JSON.parse(line()).body).legs
      if (legs.slice(1).some((l) => Boolean(l.connectedTimestamp) || (l.callDuration ?? 0) > 0)) nodes[t.transferNode].transfersAnswered++
    }
  }, opts.warn)

  const ends: MenuStats['ends'] = {hangup: 0, transfer: 0, apology: 0, abandon: 0}
  const paths = new Map<string, PathStat>()
  let sessions = 0
  let withSummary = 0
  const transfersPending = new Map<number, number>()
  for (const t of traces.values()) {
    if (!t) continue
    sessions++
    let end: PathEnd
    if (t.summary) {
      withSummary++
      end = t.end ?? 'abandon'
      ends[end as keyof typeof ends]++
    } else {
      end = 'no summary yet'
      if (t.at !== -1) t.endNode = t.at
      if (t.transferNode !== undefined) transfersPending.set(t.transferNode, (transfersPending.get(t.transferNode) ?? 0) + 1)
    }
    const endNode = t.endNode === undefined || t.endNode < 0 ? undefined : nodes[t.endNode].id
    const key = `${t.steps.join(',')}|${end}|${endNode ?? ''}`
    const p = paths.get(key)
    if (p) p.count++
    else paths.set(key, {steps: t.steps.map((i) => stepLabels[i]), end, ...(endNode ? {endNode} : {}), count: 1, share: 0})
  }

  const nodeStats: NodeStat[] = nodes.filter((n) => n.visits > 0 || n.answers > 0 || menu.nodes.has(n.id)).map((n) => {
    const i = index.get(n.id)!
    const kind = menu.nodes.get(n.id)?.kind ?? 'unknown'
    const keys = [...n.keys].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    // Keys of the menu nobody pressed are shown too, at zero.
    for (const k of menu.nodes.get(n.id)?.choices.keys() ?? []) if (!n.keys.has(k)) keys.push([k, 0])
    const share = (x: number) => (n.answers ? round3(x / n.answers) : 0)
    return {
      id: n.id, kind, calls: n.calls, visits: n.visits, answers: n.answers,
      choices: keys.map(([key, count]) => ({key, ...(targetOfKey(menu, n.id, key) === undefined ? {} : {target: targetOfKey(menu, n.id, key)}), count, share: share(count)})),
      invalid: n.invalid, invalidRate: share(n.invalid), noInput: n.noInput, noInputRate: share(n.noInput),
      abandoned: n.abandoned, abandonRate: n.calls ? round3(n.abandoned / n.calls) : 0,
      transfers: n.transfers, transfersAnswered: n.transfersAnswered, transfersUnknown: transfersPending.get(i) ?? 0,
      ...(n.durations.length > 0 ? {medianSec: Math.round(median(n.durations)! * 10) / 10} : {}),
    }
  })
  const top = [...paths.values()].sort((a, b) => b.count - a.count || a.steps.length - b.steps.length).slice(0, opts.topPaths ?? 10)
  for (const p of top) p.share = sessions ? round3(p.count / sessions) : 0

  return {
    menu: label, version: current,
    filter: {...(filter.since ? {since: filter.since.toISOString()} : {}), ...(filter.until ? {until: filter.until.toISOString()} : {}), ...(filter.version ? {version: filter.version} : {})},
    sessions, withSummary, noSummary: sessions - withSummary, decisions, ends, statuses, nodes: nodeStats, paths: top,
    versions: versionList.map((v) => ({version: v.version, decisions: v.decisions, sessions: v.sessions, first: new Date(v.first).toISOString(), last: new Date(v.last).toISOString(), current: v.version === current}))
      .sort((a, b) => a.first.localeCompare(b.first)),
    unknown,
  }
}

/** The options `menu stats`, `menu graph --stats` and `report` share, as the user gave them. */
export interface MenuStatsRequest {
  menu: Menu
  /** The menu file: names decisions of a menu without a name. */
  file: string
  dataDir: string
  /** The sub-account in force, if any (picks the default files). */
  account?: string
  decisions?: string
  store?: string
  since?: string
  until?: string
  /** A fingerprint (or its start), or `current`. */
  version?: string
  topPaths?: number
  now?: Date
  warn?: Warn
}

/** Parses the time and version filters, finds the files, and computes. */
export async function menuStatsFor(req: MenuStatsRequest): Promise<MenuStats & {decisionsFile: string; store: string}> {
  const now = req.now ?? new Date()
  const since = req.since ? parseSince(req.since, now) : undefined
  const until = req.until ? parseSince(req.until, now) : undefined
  if (since && until && until <= since) throw usageError(`--until (${until.toISOString()}) is not after --since (${since.toISOString()}).`, ['Give --until a later time than --since.'])
  const decisionsFile = await chooseDecisionsFile({flag: req.decisions, dataDir: req.dataDir, account: req.account})
  const {file: store} = await chooseStore({storeFlag: req.store, dataDir: req.dataDir, account: req.account})
  const version = req.version === 'current' ? menuFingerprint(req.menu) : req.version
  if (version !== undefined && !/^[0-9a-f]{1,12}$/.test(version)) {
    throw usageError(`--version "${req.version}" is not a menu version.`, ['Give a fingerprint from the log (12 hex characters, or their start; `ivr menu stats MENU --json` lists them), or `current`.'])
  }
  const stats = await computeMenuStats({
    menu: req.menu, label: menuLabel(req.menu, req.file), decisionsFile, storeFile: store,
    filter: {since, until, version}, topPaths: req.topPaths, warn: req.warn,
  })
  return {...stats, decisionsFile, store}
}
