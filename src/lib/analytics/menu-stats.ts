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
  /** Index of its step label (`main 2`), -1 when it is not an answer from a node. */
  step: number
  transfer: boolean
  /** Index into END_CODES when the answer ends the call, -1 when it does not. */
  endCode: number
  /** For a choice: its key's counter in the node (NodeAcc.keyCounts), else -1. */
  keySlot: number
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

/** The last day read (yyyymmdd) and its midnight (ms): lines of one day come together. */
interface DayCache {
  day: number
  ms: number
}

/**
 * The time and session of a line as the decision log writes it (`{"time":"<ISO>","session":"<id>",...`),
 * read from the bytes without parsing the line; undefined for any other shape.
 */
function readHead(buf: Buffer, start: number, end: number, days: DayCache): {time: number; sessionStart: number; sessionEnd: number; ascii: boolean; restStart: number} | undefined {
  const t = start + HEAD.length
  const s = t + ISO_LENGTH + SESSION.length
  if (s >= end || !bytesAt(buf, start, HEAD, end) || buf[t + ISO_LENGTH - 1] !== 90 /* Z */ || !bytesAt(buf, t + ISO_LENGTH, SESSION, end)) return undefined
  const day = digitsAt(buf, t, 4) * 10_000 + digitsAt(buf, t + 5, 2) * 100 + digitsAt(buf, t + 8, 2)
  if (day !== days.day) {
    days.day = day
    days.ms = Date.UTC(digitsAt(buf, t, 4), digitsAt(buf, t + 5, 2) - 1, digitsAt(buf, t + 8, 2))
  }
  // The same as Date.UTC of all seven fields (which carries over the same way).
  const time = days.ms + ((digitsAt(buf, t + 11, 2) * 60 + digitsAt(buf, t + 14, 2)) * 60 + digitsAt(buf, t + 17, 2)) * 1000 + digitsAt(buf, t + 20, 3)
  let close = s
  let ascii = true
  while (close < end && buf[close] !== 34) {
    if (buf[close] === 92) return undefined // an escaped id: read the slow way
    if (buf[close] > 127) ascii = false
    close++
  }
  if (!Number.isFinite(time) || close >= end) return undefined
  return {time, sessionStart: s, sessionEnd: close, ascii, restStart: close + 1}
}

/** How a session left the menu, as kept per session (an index into END_CODES; -1: not yet). */
const END_CODES: ReadonlyArray<Exclude<PathEnd, 'no summary yet'>> = ['hangup', 'transfer', 'apology', 'abandon']

interface NodeAcc {
  id: string
  calls: number
  visits: number
  answers: number
  /** Each key pressed here, and its counter's index in keyCounts. */
  keys: Map<string, number>
  keyCounts: number[]
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

/** Whether buf holds `bytes` at `at` (a JS loop: cheaper than a native call for a few bytes). */
function bytesAt(buf: Buffer, at: number, bytes: Buffer, end: number): boolean {
  if (at + bytes.length > end) return false
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false
  return true
}

/** Where a key of a node leads in the menu given: a node id, or what ends the call. */
function targetOfKey(menu: Menu, nodeId: string, key: string): string | undefined {
  const step = menu.nodes.get(nodeId)?.choices.get(key)
  if (!step) return undefined
  const n = step.next
  return n.kind === 'goto' ? n.node : n.kind
}

/**
 * The steps of every path, as a trie: a session keeps one number (its node), a million sessions
 * through a handful of paths share a few hundred nodes.
 */
class PathTrie {
  private readonly parent: number[] = [-1]
  private readonly step: number[] = [-1]
  private readonly children = new Map<number, number>()
  /** Keys too big to pack into one number (never in practice). */
  private readonly wide = new Map<string, number>()

  /** The node for `at` followed by `step` (0 is the empty path). */
  child(at: number, step: number): number {
    const packed = step < 2_097_152 && at < 2 ** 31
    const key = packed ? at * 2_097_152 + step : `${at},${step}`
    let c = packed ? this.children.get(key as number) : this.wide.get(key as string)
    if (c === undefined) {
      c = this.parent.length
      this.parent.push(at)
      this.step.push(step)
      if (packed) this.children.set(key as number, c)
      else this.wide.set(key as string, c)
    }
    return c
  }

  steps(at: number): number[] {
    const out: number[] = []
    for (let n = at; n > 0; n = this.parent[n]) out.push(this.step[n])
    return out.reverse()
  }
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

  const nodeIndexOf = new Map<string, number>()
  const nodes: NodeAcc[] = []
  const nodeIndex = (id: string): number => {
    let i = nodeIndexOf.get(id)
    if (i === undefined) {
      i = nodes.length
      nodeIndexOf.set(id, i)
      nodes.push({id, calls: 0, visits: 0, answers: 0, keys: new Map(), keyCounts: [], invalid: 0, noInput: 0, abandoned: 0, transfers: 0, transfersAnswered: 0, durations: []})
    }
    return i
  }
  for (const id of menu.nodes.keys()) nodeIndex(id)

  // What is kept of each session between the passes: a slot in parallel arrays of numbers (no
  // object per session). -1 in `slotOf`: the session started outside the window.
  const slotOf = new Map<string, number>()
  /** Node index the caller waits in (-1: none, the session left the menu). */
  const sAt: number[] = []
  /** When they entered it (ms), NaN when not known (an outbound call's first node). */
  const sSince: number[] = []
  /** Bit per node visited (indices under 31; the rest in sVisitedMore). */
  const sVisited: number[] = []
  const sVisitedMore = new Map<number, Set<number>>()
  /** The path so far: a node of the trie of steps (`main 2`). */
  const sPath: number[] = []
  /** Bit per version seen (the first 30), to count sessions per version. */
  const sVersions: number[] = []
  /** Index into END_CODES, -1 none yet. */
  const sEnd: number[] = []
  const sEndNode: number[] = []
  const sTransferNode: number[] = []
  const sSummary: number[] = []
  const trie = new PathTrie()

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
    let keySlot = -1
    if (node !== -1 && code === 1) {
      const n = nodes[node]
      const digits = d.digits ?? ''
      keySlot = n.keys.get(digits) ?? -1
      if (keySlot === -1) {
        keySlot = n.keyCounts.length
        n.keys.set(digits, keySlot)
        n.keyCounts.push(0)
      }
    }
    const end = END_OF[d.outcome]
    return {ours, version, node, code, step, transfer: d.outcome === 'transfer', endCode: end ? END_CODES.indexOf(end as (typeof END_CODES)[number]) : -1, keySlot, entered: ours ? (d.entered ?? []).map(nodeIndex) : []}
  }

  const enter = (s: number, ids: number[]) => {
    for (const i of ids) {
      nodes[i].visits++
      let seen: boolean
      if (i < 31) {
        seen = (sVisited[s] & (1 << i)) !== 0
        sVisited[s] |= 1 << i
      } else {
        const more = sVisitedMore.get(s) ?? new Set<number>()
        seen = more.has(i)
        more.add(i)
        sVisitedMore.set(s, more)
      }
      if (!seen) nodes[i].calls++
    }
    return ids.length === 0 ? -1 : ids.at(-1)!
  }

  const fold = (session: string, at: number, r: Rest) => {
    let s = slotOf.get(session)
    if (s === undefined) {
      // A session belongs to the window it started in.
      if (!(at >= since && at < until)) {
        slotOf.set(session, -1)
        return
      }
      s = sAt.length
      slotOf.set(session, s)
      sAt.push(-1)
      sSince.push(Number.NaN)
      sVisited.push(0)
      sPath.push(0)
      sVersions.push(0)
      sEnd.push(-1)
      sEndNode.push(-1)
      sTransferNode.push(-1)
      sSummary.push(0)
      // No CALL_RECEIVED: an outbound call opened in this node (send-callflow --menu, campaigns).
      if (r.node !== -1) sAt[s] = enter(s, [r.node])
    } else if (s === -1) {
      return
    }
    decisions++
    const v = versionList[r.version]
    v.decisions++
    const bit = r.version < 30 ? 1 << r.version : 0
    if (bit === 0 || (sVersions[s] & bit) === 0) v.sessions++
    sVersions[s] |= bit
    if (at < v.first) v.first = at
    if (at > v.last) v.last = at
    if (r.code === 4) unknown++
    if (r.step !== -1) {
      const n = nodes[r.node]
      n.answers++
      if (sAt[s] === r.node && Number.isFinite(sSince[s])) n.durations.push((at - sSince[s]) / 1000)
      if (r.code === 1) n.keyCounts[r.keySlot]++
      else if (r.code === 2) n.invalid++
      else if (r.code === 3) n.noInput++
      sPath[s] = trie.child(sPath[s], r.step)
      if (r.transfer) {
        n.transfers++
        sTransferNode[s] = r.node
      }
    }
    const next = enter(s, r.entered)
    if (r.endCode !== -1) {
      sEnd[s] = r.endCode
      sEndNode[s] = next >= 0 ? next : r.node
      sAt[s] = -1
    } else {
      sAt[s] = next
      sSince[s] = at
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

  // In the writer's lines the menu comes right after the session: `,"menu":"<name>",`. What
  // follows it has few distinct values: each is worked out once, then looked up by its text.
  const menuField = Buffer.concat([Buffer.from(','), needle])
  const rests = new Map<string, Rest>()
  const days: DayCache = {day: Number.NaN, ms: Number.NaN}
  await forEachLine(opts.decisionsFile, (buf, start, end, _lineNo, torn) => {
    const head = readHead(buf, start, end, days)
    if (head) {
      if (!bytesAt(buf, head.restStart, menuField, end)) return
      const text = buf.toString('latin1', head.restStart + menuField.length, end)
      let rest = rests.get(text)
      if (!rest) {
        const d = parseLine(buf, start, end, torn)
        if (!d) return
        rest = restOf(d)
        if (rests.size < 100_000) rests.set(text, rest)
      }
      if (!rest.ours) return
      fold(buf.toString(head.ascii ? 'latin1' : 'utf8', head.sessionStart, head.sessionEnd), head.time, rest)
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
    const s = id === undefined ? undefined : slotOf.get(id)
    if (s === undefined || s === -1 || sSummary[s] === 1) return
    sSummary[s] = 1
    statuses[row.status] = (statuses[row.status] ?? 0) + 1
    const at = sAt[s]
    if (at !== -1) {
      // Still waiting in a menu when the session ended: the caller hung up there.
      const n = nodes[at]
      n.abandoned++
      if (Number.isFinite(sSince[s]) && Number.isFinite(row.time) && row.time >= sSince[s]) n.durations.push((row.time - sSince[s]) / 1000)
      sEnd[s] = END_CODES.indexOf('abandon')
      sEndNode[s] = at
    }
    const transferNode = sTransferNode[s]
    if (transferNode !== -1) {
      // Connected seconds beyond the first leg's: a later leg (the transfer) was answered. Else the legs tell.
      if (row.durationSec !== undefined && row.legSeconds > row.durationSec) {
        nodes[transferNode].transfersAnswered++
        return
      }
      const legs = readSummary(JSON.parse(line()).body).legs
      if (legs.slice(1).some((l) => Boolean(l.connectedTimestamp) || (l.callDuration ?? 0) > 0)) nodes[transferNode].transfersAnswered++
    }
  }, opts.warn)

  const ends: MenuStats['ends'] = {hangup: 0, transfer: 0, apology: 0, abandon: 0}
  const paths = new Map<string, PathStat & {path: number}>()
  let withSummary = 0
  const transfersPending = new Map<number, number>()
  const sessions = sAt.length
  for (let s = 0; s < sessions; s++) {
    let end: PathEnd
    let endNodeAt = sEndNode[s]
    if (sSummary[s] === 1) {
      withSummary++
      end = sEnd[s] === -1 ? 'abandon' : END_CODES[sEnd[s]]
      ends[end as keyof typeof ends]++
    } else {
      end = 'no summary yet'
      if (sAt[s] !== -1) endNodeAt = sAt[s]
      if (sTransferNode[s] !== -1) transfersPending.set(sTransferNode[s], (transfersPending.get(sTransferNode[s]) ?? 0) + 1)
    }
    const endNode = endNodeAt < 0 ? undefined : nodes[endNodeAt].id
    const key = `${sPath[s]}|${end}|${endNode ?? ''}`
    const p = paths.get(key)
    if (p) p.count++
    else paths.set(key, {path: sPath[s], steps: [], end, ...(endNode ? {endNode} : {}), count: 1, share: 0})
  }
  for (const p of paths.values()) p.steps = trie.steps(p.path).map((i) => stepLabels[i])

  const nodeStats: NodeStat[] = nodes.filter((n) => n.visits > 0 || n.answers > 0 || menu.nodes.has(n.id)).map((n) => {
    const i = nodeIndexOf.get(n.id)!
    const kind = menu.nodes.get(n.id)?.kind ?? 'unknown'
    const pressed = new Map([...n.keys].map(([k, slot]) => [k, n.keyCounts[slot]] as const).filter(([, count]) => count > 0))
    const keys = [...pressed].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    // Keys of the menu nobody pressed are shown too, at zero.
    for (const k of menu.nodes.get(n.id)?.choices.keys() ?? []) if (!pressed.has(k)) keys.push([k, 0])
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
    .map(({path: _path, ...p}) => ({...p, share: sessions ? round3(p.count / sessions) : 0}))

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
