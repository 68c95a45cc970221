/**
 * `ivr menu test`: scripted callers against the sandbox's call engine, with the menu answering
 * in-process (no ports, no phone) on the engine's virtual clock. Each scenario lists presses and
 * expectations; the run reports pass/fail per scenario and which choices were never taken.
 */
import {parseCallflowText} from '../callflow/load.js'
import {CallEngine, type Deliver, type Timeline} from '../sandbox/engine.js'
import {isOutcome, OUTCOMES, type Outcome} from '../sandbox/magic.js'
import {DEFAULT_SUBACCOUNT, DEFAULT_NUMBERS} from '../sandbox/state.js'
import {readCallEvent} from '../webhooks/parse.js'
import {answerCall, describeOutcome, menuStartRequest, startNode, type MenuAnswer} from './answer.js'
import type {Menu} from './model.js'
import {didYouMean} from '../did-you-mean.js'

export interface Expectations {
  /** Each must be in something the caller heard (case-insensitive). */
  heard?: string[]
  /** Each must never be heard. */
  notHeard?: string[]
  /** Each node must be entered at some point. */
  reached?: string[]
  /** The nodes entered, exactly, in order. */
  path?: string[]
  transferredTo?: string
  status?: string
}

export interface Scenario {
  name: string
  direction: 'inbound' | 'outbound'
  /** The caller's (customer's) number. */
  caller: string
  /** The sandbox virtual number called (inbound) or calling (outbound). */
  number: string
  /** One entry per capture; '' is silence. */
  presses: string[]
  /** How the called party answers an outbound call (sandbox outcomes). */
  answer?: Outcome
  expect: Expectations
}

export interface ScenarioResult {
  name: string
  passed: boolean
  failures: string[]
  /** Nodes entered, in order, and how the call ended (`hang up`, `transfer +65…`). */
  path: string[]
  end: string
  heard: string[]
  status?: string
  transferredTo?: string
  sessionId: string
}

export interface Coverage {
  total: number
  taken: number
  percent: number
  /** `node key` for each choice never taken. */
  untaken: string[]
  handlers: {total: number; taken: number; untaken: string[]}
}

export interface TestRun {
  passed: number
  failed: number
  scenarios: ScenarioResult[]
  coverage: Coverage
}

export const DEFAULT_CALLER = '+6591234567'
export const DEFAULT_NUMBER = DEFAULT_NUMBERS[0]

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): string[] | undefined => (v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : [String(v)])

/** The fields of a scenarios file (schemas/menu-scenarios.schema.json lists the same). */
export const SCENARIO_FILE_KEYS = ['$schema', 'defaults', 'scenarios'] as const
export const SCENARIO_DEFAULT_KEYS = ['caller', 'number', 'direction', 'answer'] as const
export const SCENARIO_KEYS = ['name', 'direction', 'caller', 'number', 'presses', 'answer', 'expect'] as const
export const EXPECT_KEYS = ['heard', 'notHeard', 'reached', 'path', 'transferredTo', 'status'] as const

/** A scenarios file that does not follow the format: every problem, each with where it is. */
export class ScenarioFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'ScenarioFileError'
  }
}

/** Unknown keys of `obj`, each with where it is and a hint (a near key, or the part of the file it belongs to). */
function unknownKeys(obj: Obj, known: readonly string[], at: (key: string) => string, what: string): string[] {
  return Object.keys(obj).filter((k) => !known.includes(k)).map((k) => {
    const near = didYouMean(k, known)
    const belongs = (EXPECT_KEYS as readonly string[]).includes(k) && what === 'a scenario' ? ' (expectations go under expect:)' : ''
    return `${at(k)} "${k}" is not a field of ${what}${near ? `: did you mean ${near}?` : belongs || ` (fields: ${known.join(', ')})`}`
  })
}

/**
 * Checks a scenarios file against its schema before anything runs: unknown keys anywhere, and a
 * scenario that expects nothing (it could only ever pass), are errors. A test tool never reports a
 * pass it did not check.
 */
function schemaProblems(root: unknown, where: (path: string) => string, itemPath: (i: number) => string): string[] {
  if (!isObj(root)) return []
  const problems = unknownKeys(root, SCENARIO_FILE_KEYS, (k) => where(`$.${k}`), 'a scenarios file')
  if (root.defaults !== undefined) {
    if (isObj(root.defaults)) problems.push(...unknownKeys(root.defaults, SCENARIO_DEFAULT_KEYS, (k) => where(`$.defaults.${k}`), 'defaults'))
    else problems.push(`${where('$.defaults')} defaults is a map: ${SCENARIO_DEFAULT_KEYS.join(', ')}`)
  }
  const items = Array.isArray(root.scenarios) ? root.scenarios : []
  items.forEach((raw, i) => {
    const path = itemPath(i)
    if (!isObj(raw)) return
    problems.push(...unknownKeys(raw, SCENARIO_KEYS, (k) => where(`${path}.${k}`), 'a scenario'))
    const e = raw.expect
    if (e === undefined || (isObj(e) && Object.keys(e).filter((k) => (EXPECT_KEYS as readonly string[]).includes(k)).length === 0)) {
      const name = typeof raw.name === 'string' ? `"${raw.name}"` : `scenario ${i + 1}`
      problems.push(`${where(path)} ${name} checks nothing: give expect with at least one of ${EXPECT_KEYS.join(', ')}`)
    }
  })
  return problems
}

/** Reads a scenarios file (YAML or JSON); throws a ScenarioFileError naming what is wrong and where. */
export function parseScenarios(text: string, fileName: string): Scenario[] {
  try {
    return readScenarios(text, fileName)
  } catch (error) {
    if (error instanceof ScenarioFileError) throw error
    throw new ScenarioFileError([(error as Error).message])
  }
}

function readScenarios(text: string, fileName: string): Scenario[] {
  const doc = parseCallflowText(text, fileName)
  if (doc.problems.length > 0) {
    const p = doc.problems[0]
    throw new Error(`${fileName}:${p.line ?? 1}:${p.column ?? 1} ${p.message}`)
  }
  const where = (path: string) => {
    const pos = doc.locate(path)
    return pos ? `${fileName}:${pos.line}:${pos.column}` : fileName
  }
  const root = doc.value
  const items = Array.isArray(root) ? root : isObj(root) ? root.scenarios : undefined
  if (!Array.isArray(items) || items.length === 0) throw new Error(`${fileName}: no scenarios (expected scenarios: [ {name, presses, expect}, ... ])`)
  const problems = schemaProblems(Array.isArray(root) ? {scenarios: root} : root, where, (i) => (Array.isArray(root) ? `$[${i}]` : `$.scenarios[${i}]`))
  const defaults = isObj(root) && isObj(root.defaults) ? root.defaults : {}
  if (problems.length === 0) return items.map((raw, i) => readScenario(raw, i))
  try {
    items.forEach((raw, i) => readScenario(raw, i))
  } catch (error) {
    problems.push((error as Error).message)
  }
  throw new ScenarioFileError(problems)

  function readScenario(raw: unknown, i: number): Scenario {
    const path = Array.isArray(root) ? `$[${i}]` : `$.scenarios[${i}]`
    if (!isObj(raw)) throw new Error(`${where(path)} a scenario is a map: {name, presses, expect}`)
    const s = {...defaults, ...raw}
    const direction = String(s.direction ?? 'inbound').toLowerCase()
    if (direction !== 'inbound' && direction !== 'outbound') throw new Error(`${where(`${path}.direction`)} direction is inbound or outbound, not "${direction}"`)
    const presses = typeof s.presses === 'string' ? s.presses.split(',') : Array.isArray(s.presses) ? s.presses.map((p) => (p === null ? '' : String(p))) : s.presses === undefined ? [] : undefined
    if (!presses) throw new Error(`${where(`${path}.presses`)} presses is a list (one entry per menu, "" for silence) or "1,2,,3"`)
    const bad = presses.find((p) => !/^[\d*#]*$/.test(p.trim()))
    if (bad !== undefined) throw new Error(`${where(`${path}.presses`)} "${bad}" holds keys a phone does not have (0-9, * and #)`)
    const e = s.expect === undefined ? {} : s.expect
    if (!isObj(e)) throw new Error(`${where(`${path}.expect`)} expect is a map: heard, notHeard, reached, path, transferredTo, status`)
    const unknown = Object.keys(e).find((k) => !(EXPECT_KEYS as readonly string[]).includes(k))
    if (unknown) {
      const near = didYouMean(unknown, EXPECT_KEYS)
      throw new Error(`${where(`${path}.expect.${unknown}`)} "${unknown}" is not an expectation (${near ? `did you mean ${near}?` : `use ${EXPECT_KEYS.join(', ')}`})`)
    }
    if (s.answer !== undefined && !isOutcome(s.answer)) throw new Error(`${where(`${path}.answer`)} answer is one of ${OUTCOMES.join(', ')}`)
    const expect: Expectations = {}
    const heard = list(e.heard)
    const notHeard = list(e.notHeard)
    const reached = list(e.reached)
    const p = list(e.path)
    if (heard) expect.heard = heard
    if (notHeard) expect.notHeard = notHeard
    if (reached) expect.reached = reached
    if (p) expect.path = p
    if (e.transferredTo !== undefined) expect.transferredTo = String(e.transferredTo)
    if (e.status !== undefined) expect.status = String(e.status).toUpperCase()
    return {
      name: typeof s.name === 'string' && s.name ? s.name : `scenario ${i + 1}`,
      direction, caller: String(s.caller ?? DEFAULT_CALLER), number: String(s.number ?? DEFAULT_NUMBER),
      presses: presses.map((x) => x.trim()), ...(s.answer === undefined ? {} : {answer: s.answer as Outcome}), expect,
    }
  }
}

const digitsOf = (n: string) => n.replace(/\D/g, '')

function judge(s: Scenario, r: Omit<ScenarioResult, 'passed' | 'failures'>): string[] {
  const f: string[] = []
  const e = s.expect
  const heardLower = r.heard.map((h) => h.toLowerCase())
  for (const h of e.heard ?? []) if (!heardLower.some((x) => x.includes(h.toLowerCase()))) f.push(`expected to hear "${h}"`)
  for (const h of e.notHeard ?? []) if (heardLower.some((x) => x.includes(h.toLowerCase()))) f.push(`expected not to hear "${h}"`)
  for (const n of e.reached ?? []) if (!r.path.includes(n)) f.push(`expected to reach ${n}`)
  if (e.path && e.path.join(' → ') !== r.path.join(' → ')) f.push(`expected the path ${e.path.join(' → ')}`)
  if (e.transferredTo !== undefined && digitsOf(e.transferredTo) !== digitsOf(r.transferredTo ?? '')) {
    f.push(`expected a transfer to ${e.transferredTo}, ${r.transferredTo ? `got one to ${r.transferredTo}` : 'there was none'}`)
  }
  if (e.status !== undefined && e.status !== r.status) f.push(`expected status ${e.status}, got ${r.status ?? 'none'}`)
  return f
}

/** Runs every scenario against a fresh in-process engine with the menu answering its VCA webhooks. */
export async function runScenarios(menu: Menu, scenarios: readonly Scenario[]): Promise<TestRun> {
  const answers = new Map<string, MenuAnswer[]>()
  const first = startNode(menu)
  const deliver: Deliver = async (req) => {
    if (req.type !== 'VCA') return {status: 200, body: {}}
    const event = readCallEvent(req.body)
    const answer = answerCall(menu, event, first)
    const id = event.sessionId ?? ''
    const got = answers.get(id) ?? []
    got.push(answer)
    answers.set(id, got)
    return {status: 200, body: answer.response}
  }
  const engine = new CallEngine({deliver, maxSessions: scenarios.length + 10, retryDelaysMs: []})
  engine.registerWebhook(DEFAULT_SUBACCOUNT, 'VCA', 'http://menu.in-process/vca')

  const results: ScenarioResult[] = []
  for (const s of scenarios) {
    let sessionId: string
    try {
      if (s.direction === 'inbound') {
        sessionId = engine.startInbound({subAccountId: DEFAULT_SUBACCOUNT, from: s.caller, to: s.number, presses: s.presses})
      } else {
        engine.setPresses(DEFAULT_SUBACCOUNT, s.caller, s.presses, {once: true})
        sessionId = engine.startOutbound(DEFAULT_SUBACCOUNT, menuStartRequest(menu, {from: s.number, to: s.caller}), s.answer ? {outcome: s.answer} : {})
      }
    } catch (error) {
      results.push({name: s.name, passed: false, failures: [`the call could not start: ${(error as Error).message}`], path: [], end: 'not started', heard: [], sessionId: ''})
      continue
    }
    const t = await engine.waitForEnd(sessionId)
    const mine = answers.get(sessionId) ?? []
    const path = s.direction === 'outbound' ? menuStartRequestPath(menu) : []
    for (const a of mine) path.push(...a.resolution.entered)
    const last = mine.at(-1)
    const r = {
      name: s.name, path, end: endOf(t, last), heard: heardIn(t), status: t.sessionStatus,
      ...(transferOf(t) ? {transferredTo: transferOf(t)} : {}), sessionId,
    }
    const failures = judge(s, r)
    results.push({...r, passed: failures.length === 0, failures})
  }
  const passed = results.filter((r) => r.passed).length
  return {passed, failed: results.length - passed, scenarios: results, coverage: coverage(menu, [...answers.values()].flat())}
}

/** Outbound: the request opens the entry node before any VCA. */
function menuStartRequestPath(menu: Menu): string[] {
  const first = startNode(menu)
  const out: string[] = []
  if (menu.entry !== first) out.push(menu.entry)
  if (first) out.push(first)
  return out
}

function heardIn(t: Timeline): string[] {
  return t.events.flatMap((e) => (e.kind === 'say' ? [e.text] : []))
}

function transferOf(t: Timeline): string | undefined {
  for (const e of t.events) if (e.kind === 'call' && e.leg === 'B' && e.status === 'initiated') return e.number
  return undefined
}

function endOf(t: Timeline, last: MenuAnswer | undefined): string {
  const err = t.events.find((e) => e.kind === 'error')
  if (err && err.kind === 'error') return `error ${err.code}`
  if (last && last.resolution.outcome.kind !== 'menu') return describeOutcome(last.resolution.outcome)
  const hang = [...t.events].reverse().find((e) => e.kind === 'hangup')
  return hang && hang.kind === 'hangup' ? `${hang.by} hung up` : (t.sessionStatus ?? 'ended').toLowerCase()
}

function coverage(menu: Menu, answers: MenuAnswer[]): Coverage {
  const taken = new Set<string>()
  for (const a of answers) if (a.from) taken.add(`${a.from} ${a.taken}`)
  const choices: string[] = []
  const handlers: string[] = []
  for (const node of menu.nodes.values()) {
    if (node.kind !== 'menu') continue
    for (const key of node.choices.keys()) choices.push(`${node.id} ${key}`)
    handlers.push(`${node.id} invalid`, `${node.id} no input`)
  }
  const untaken = choices.filter((c) => !taken.has(c))
  const untakenHandlers = handlers.filter((c) => !taken.has(c))
  return {
    total: choices.length, taken: choices.length - untaken.length,
    percent: choices.length === 0 ? 100 : Math.floor(((choices.length - untaken.length) / choices.length) * 1000) / 10,
    untaken,
    handlers: {total: handlers.length, taken: handlers.length - untakenHandlers.length, untaken: untakenHandlers},
  }
}
