/**
 * The menu file (docs/menus.md): YAML or JSON text to a normalised Menu. Reading never throws:
 * anything malformed becomes a Problem with a JSON path (`$.nodes.main.choices["1"]`) that the
 * shared loader turns into a line and column. Semantic checks live in check.ts.
 */
import {parseCallflowText, type LoadedDocument} from '../callflow/load.js'
import {CAPTURE_DEFAULTS, DEFAULT_VOICE_PROFILE} from '../callflow/types.js'
import {childPath, type Problem} from '../callflow/validate.js'
import {didYouMean} from '../did-you-mean.js'

/** Where a step leads once its message (if any) has been heard. */
export type Next =
  | {kind: 'goto'; node: string}
  | {kind: 'repeat'}
  | {kind: 'back'}
  | {kind: 'main'}
  | {kind: 'hangup'}
  | {kind: 'transfer'; to: string; from?: string; record?: boolean}

/** What a choice or handler does: an optional message, then exactly one way on. */
export interface Step {
  say?: string
  play?: string
  voice?: string
  speed?: number
  next: Next
  /** JSON path of the step in the file. */
  path: string
}

export interface Capture {
  minDigits: number
  maxDigits: number
  digitTimeout: number
  overallTimeout: number
  tries: number
  completeOnHash: boolean
}

export interface MenuNode {
  id: string
  path: string
  say?: string
  play?: string
  voice: string
  speed: number
  /** A menu node captures digits and has choices; a message node plays and moves on (`then`). */
  kind: 'menu' | 'message'
  capture: Capture
  choices: Map<string, Step>
  invalid?: Step
  noInput?: Step
  /** Message nodes: where they lead. */
  then?: Step
  /** Where `back` leads from here: given, or the one menu that leads here. */
  parent?: string
}

export interface Menu {
  name?: string
  entry: string
  nodes: Map<string, MenuNode>
  /** Spoken, then hang up, when the server cannot answer (unknown node, garbled payload, a bug). */
  apology: string
  voice: string
  /** Caller id for transfers unless a step gives one. */
  transferFrom: string
  /** Declared handlers per node before defaults applied, for check's warnings. */
  declared: Map<string, {invalid: boolean; noInput: boolean}>
}

export interface LoadedMenu {
  menu?: Menu
  problems: Problem[]
  doc: Pick<LoadedDocument, 'locate' | 'format'>
}

export const KEYWORDS = ['hangup', 'repeat', 'back', 'main'] as const
export const DEFAULT_APOLOGY = 'Sorry, something went wrong on our side. Please call again later. Goodbye.'
export const DEFAULT_TRANSFER_FROM = '{{virtualNumber}}'
const DIGIT_KEYS = /^[0-9*#]{1,25}$/
const NODE_ID = /^[A-Za-z][\w.-]{0,63}$/

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

class Reader {
  problems: Problem[] = []
  error(path: string, message: string, hint?: string): void {
    this.problems.push({path, message, severity: 'error', ...(hint ? {hint} : {})})
  }

  warn(path: string, message: string, hint?: string): void {
    this.problems.push({path, message, severity: 'warning', ...(hint ? {hint} : {})})
  }

  str(o: Obj, key: string, path: string): string | undefined {
    const v = o[key]
    if (v === undefined || v === null) return undefined
    if (typeof v === 'number') return String(v)
    if (typeof v !== 'string') {
      this.error(childPath(path, key), `must be text, not ${Array.isArray(v) ? 'a list' : typeof v}`)
      return undefined
    }
    return v
  }

  int(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
    const v = o[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.error(childPath(path, key), `must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`)
      return undefined
    }
    return v
  }

  num(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
    const v = o[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || v < min || v > max) {
      this.error(childPath(path, key), `must be a number from ${min} to ${max}, not ${JSON.stringify(v)}`)
      return undefined
    }
    return v
  }

  bool(o: Obj, key: string, path: string): boolean | undefined {
    const v = o[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean') {
      this.error(childPath(path, key), `must be true or false, not ${JSON.stringify(v)}`)
      return undefined
    }
    return v
  }

  unknownKeys(o: Obj, allowed: readonly string[], path: string, what: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.warn(childPath(path, k), `is not a field of ${what}; it is ignored`, `Known fields: ${allowed.join(', ')}.`)
    }
  }
}

/** The fields of each part of a menu file (schemas/menu.schema.json lists the same). */
export const CAPTURE_KEYS = ['minDigits', 'maxDigits', 'digitTimeout', 'overallTimeout', 'tries', 'completeOnHash'] as const
export const STEP_KEYS = ['say', 'play', 'voice', 'speed', 'goto', 'transfer', 'hangup', 'repeat', 'back', 'main']
export const NODE_KEYS = ['id', 'say', 'play', 'voice', 'speed', 'capture', 'choices', 'invalid', 'noInput', 'then', 'parent']
export const TOP_KEYS = ['$schema', 'name', 'entry', 'defaults', 'nodes']
export const DEFAULT_KEYS = ['voice', 'speed', 'capture', 'invalid', 'noInput', 'apology', 'transferFrom']

function readCapture(r: Reader, v: unknown, path: string, base: Capture): Capture {
  if (v === undefined || v === null) return base
  if (!isObj(v)) {
    r.error(path, 'must be a map of capture settings', `e.g. capture: {maxDigits: 4, completeOnHash: true}; fields: ${CAPTURE_KEYS.join(', ')}.`)
    return base
  }
  r.unknownKeys(v, CAPTURE_KEYS, path, 'capture')
  return {
    minDigits: r.int(v, 'minDigits', path, 1, 25) ?? base.minDigits,
    maxDigits: r.int(v, 'maxDigits', path, 1, 25) ?? base.maxDigits,
    digitTimeout: r.int(v, 'digitTimeout', path, 1, 600_000) ?? base.digitTimeout,
    overallTimeout: r.int(v, 'overallTimeout', path, 1, 600_000) ?? base.overallTimeout,
    tries: r.int(v, 'tries', path, 1, 10) ?? base.tries,
    completeOnHash: r.bool(v, 'completeOnHash', path) ?? base.completeOnHash,
  }
}

/** A step: `main`, `hangup`, a node id, or {say, play, voice, speed, goto|transfer|hangup|repeat|back|main}. */
function readStep(r: Reader, v: unknown, path: string): Step | undefined {
  if (typeof v === 'string') {
    const word = v.trim()
    if ((KEYWORDS as readonly string[]).includes(word)) return {next: {kind: word as 'hangup' | 'repeat' | 'back' | 'main'}, path}
    if (word === '') {
      r.error(path, 'is empty', 'Give a node id, or one of hangup, repeat, back, main.')
      return undefined
    }
    return {next: {kind: 'goto', node: word}, path}
  }
  if (!isObj(v)) {
    r.error(path, `must be a node id or a step ({say: ..., goto: ...}), not ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}`)
    return undefined
  }
  r.unknownKeys(v, STEP_KEYS, path, 'a step')
  const step: Partial<Step> = {path}
  const say = r.str(v, 'say', path)
  const play = r.str(v, 'play', path)
  const voice = r.str(v, 'voice', path)
  const speed = r.num(v, 'speed', path, 0.5, 2)
  if (say !== undefined) step.say = say
  if (play !== undefined) step.play = play
  if (voice !== undefined) step.voice = voice
  if (speed !== undefined) step.speed = speed
  const ways: Next[] = []
  if (v.goto !== undefined) {
    const node = r.str(v, 'goto', path)
    if (node !== undefined) ways.push((KEYWORDS as readonly string[]).includes(node) ? {kind: node as 'hangup'} : {kind: 'goto', node})
  }
  if (v.transfer !== undefined) {
    const t = v.transfer
    if (typeof t === 'string' || typeof t === 'number') ways.push({kind: 'transfer', to: String(t)})
    else if (isObj(t)) {
      const tp = childPath(path, 'transfer')
      r.unknownKeys(t, ['to', 'from', 'record'], tp, 'transfer')
      const to = r.str(t, 'to', tp)
      if (to === undefined) r.error(tp, 'needs to: the number to connect the caller to')
      else {
        const from = r.str(t, 'from', tp)
        const record = r.bool(t, 'record', tp)
        ways.push({kind: 'transfer', to, ...(from === undefined ? {} : {from}), ...(record === undefined ? {} : {record})})
      }
    } else r.error(childPath(path, 'transfer'), 'must be a phone number or {to, from?, record?}')
  }
  for (const word of ['hangup', 'repeat', 'back', 'main'] as const) {
    if (v[word] === undefined) continue
    if (v[word] === true) ways.push({kind: word})
    else if (v[word] !== false) r.error(childPath(path, word), 'must be true')
  }
  if (ways.length === 0) {
    r.error(path, 'does not say what happens next', 'Add one of goto: NODE, transfer: NUMBER, hangup: true, repeat: true, back: true, main: true.')
    return undefined
  }
  if (ways.length > 1) {
    r.error(path, `says ${ways.length} things to do next (${ways.map((w) => w.kind).join(', ')}); a step does one`)
    return undefined
  }
  step.next = ways[0]
  return step as Step
}

function readChoices(r: Reader, v: unknown, path: string): Map<string, Step> {
  const out = new Map<string, Step>()
  if (v === undefined || v === null) return out
  if (!isObj(v)) {
    r.error(path, 'must be a map from keys pressed to steps', 'e.g. choices: {"1": reservations, "2": {transfer: "+6512345678"}}')
    return out
  }
  for (const [key, value] of Object.entries(v)) {
    const p = childPath(path, key)
    if (!DIGIT_KEYS.test(key)) {
      r.error(p, `"${key}" is not something a caller can press`, 'Keys are made of 0-9, * and # (up to 25), e.g. "1" or "42".')
      continue
    }
    const step = readStep(r, value, p)
    if (step) out.set(key, step)
  }
  return out
}

interface Defaults {
  voice: string
  speed: number
  capture: Capture
  invalid?: Step
  noInput?: Step
  apology: string
  transferFrom: string
}

function readDefaults(r: Reader, v: unknown): Defaults {
  const base: Defaults = {voice: DEFAULT_VOICE_PROFILE, speed: 1, capture: {...CAPTURE_DEFAULTS, tries: CAPTURE_DEFAULTS.noOfTries}, apology: DEFAULT_APOLOGY, transferFrom: DEFAULT_TRANSFER_FROM}
  if (v === undefined || v === null) return base
  const path = '$.defaults'
  if (!isObj(v)) {
    r.error(path, 'must be a map', `Fields: ${DEFAULT_KEYS.join(', ')}.`)
    return base
  }
  r.unknownKeys(v, DEFAULT_KEYS, path, 'defaults')
  const out: Defaults = {
    voice: r.str(v, 'voice', path) ?? base.voice,
    speed: r.num(v, 'speed', path, 0.5, 2) ?? base.speed,
    capture: readCapture(r, v.capture, childPath(path, 'capture'), base.capture),
    apology: r.str(v, 'apology', path) ?? base.apology,
    transferFrom: r.str(v, 'transferFrom', path) ?? base.transferFrom,
  }
  if (v.invalid !== undefined) out.invalid = readStep(r, v.invalid, childPath(path, 'invalid'))
  if (v.noInput !== undefined) out.noInput = readStep(r, v.noInput, childPath(path, 'noInput'))
  return out
}

function readNode(r: Reader, id: string, v: unknown, path: string, d: Defaults): MenuNode | undefined {
  if (!isObj(v)) {
    r.error(path, `node ${id} must be a map (say, choices, ...), not ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}`)
    return undefined
  }
  r.unknownKeys(v, NODE_KEYS, path, 'a node')
  const hasChoices = v.choices !== undefined
  const node: MenuNode = {
    id, path,
    voice: r.str(v, 'voice', path) ?? d.voice,
    speed: r.num(v, 'speed', path, 0.5, 2) ?? d.speed,
    kind: hasChoices ? 'menu' : 'message',
    capture: readCapture(r, v.capture, childPath(path, 'capture'), d.capture),
    choices: readChoices(r, v.choices, childPath(path, 'choices')),
  }
  const say = r.str(v, 'say', path)
  const play = r.str(v, 'play', path)
  const parent = r.str(v, 'parent', path)
  if (say !== undefined) node.say = say
  if (play !== undefined) node.play = play
  if (parent !== undefined) node.parent = parent
  if (node.kind === 'menu') {
    if (say === undefined) r.error(path, `menu ${id} has no say: the prompt the caller hears while pressing keys`, 'The platform captures digits only during a spoken prompt (sayAndCapture); play: is heard before it.')
    if (v.then !== undefined) r.warn(childPath(path, 'then'), 'is ignored on a menu node (its choices say where to go)')
    node.invalid = v.invalid === undefined ? d.invalid : readStep(r, v.invalid, childPath(path, 'invalid'))
    node.noInput = v.noInput === undefined ? d.noInput : readStep(r, v.noInput, childPath(path, 'noInput'))
  } else {
    if (say === undefined && play === undefined && v.then === undefined) r.error(path, `node ${id} has neither choices, nor say/play, nor then`, 'A menu node has say and choices; a message node has say or play, and then.')
    for (const k of ['capture', 'invalid', 'noInput'] as const) {
      if (v[k] !== undefined) r.warn(childPath(path, k), `is ignored: node ${id} has no choices, so it captures nothing`)
    }
    const then = v.then === undefined ? {next: {kind: 'hangup'} as Next, path: childPath(path, 'then')} : readStep(r, v.then, childPath(path, 'then'))
    if (then) node.then = then
  }
  return node
}

/** The menu in a file's text. Problems (errors and warnings) come located in the text. */
export function parseMenuText(text: string, fileName: string): LoadedMenu {
  const doc = parseCallflowText(text, fileName)
  if (doc.problems.length > 0) return {problems: doc.problems.map((p) => ({...p, code: undefined, message: p.message})), doc}
  const {menu, problems} = readMenu(doc.value)
  return {menu, problems: locate(problems, doc), doc}
}

function locate(problems: Problem[], doc: Pick<LoadedDocument, 'locate'>): Problem[] {
  return problems.map((p) => {
    if (p.line !== undefined) return p
    const pos = doc.locate(p.path)
    return pos ? {...p, line: pos.line, column: pos.column} : p
  })
}

/** A parsed value (the file's YAML/JSON) to a Menu, with what is wrong with its shape. */
export function readMenu(value: unknown): {menu?: Menu; problems: Problem[]} {
  const r = new Reader()
  if (!isObj(value)) {
    r.error('$', 'a menu file is a map with nodes (and entry, defaults)', 'See docs/menus.md for the format.')
    return {problems: r.problems}
  }
  r.unknownKeys(value, TOP_KEYS, '$', 'a menu file')
  const d = readDefaults(r, value.defaults)
  const nodes = new Map<string, MenuNode>()
  const declared = new Map<string, {invalid: boolean; noInput: boolean}>()
  const order: string[] = []
  const add = (id: string, raw: unknown, path: string) => {
    if (!NODE_ID.test(id)) {
      r.error(path, `"${id}" is not a usable node id`, 'Ids start with a letter and hold letters, digits, _ . - (up to 64).')
      return
    }
    if ((KEYWORDS as readonly string[]).includes(id) && id !== 'main') {
      r.error(path, `"${id}" is a reserved word and cannot be a node id`, `Reserved: ${KEYWORDS.filter((k) => k !== 'main').join(', ')}.`)
      return
    }
    if (nodes.has(id)) {
      r.error(path, `duplicate node id "${id}"`, 'Every node needs its own id: it is sent as clientActionId and tells the server where the caller is.')
      return
    }
    const node = readNode(r, id, raw, path, d)
    if (!node) return
    nodes.set(id, node)
    order.push(id)
    declared.set(id, {invalid: isObj(raw) && raw.invalid !== undefined, noInput: isObj(raw) && raw.noInput !== undefined})
  }
  const rawNodes = value.nodes
  if (Array.isArray(rawNodes)) {
    rawNodes.forEach((n, i) => {
      const path = `$.nodes[${i}]`
      const id = isObj(n) && (typeof n.id === 'string' || typeof n.id === 'number') ? String(n.id) : undefined
      if (id === undefined) r.error(path, 'has no id', 'In a list of nodes each needs id: (in a map, the key is the id).')
      else add(id, n, path)
    })
  } else if (isObj(rawNodes)) {
    for (const [id, n] of Object.entries(rawNodes)) {
      if (isObj(n) && n.id !== undefined && String(n.id) !== id) r.error(childPath(childPath('$.nodes', id), 'id'), `says "${String(n.id)}" but the node's key is "${id}"`)
      add(id, n, childPath('$.nodes', id))
    }
  } else {
    r.error('$.nodes', rawNodes === undefined ? 'is missing: a menu needs at least one node' : 'must be a map of nodes by id (or a list of nodes with id)')
    return {problems: r.problems}
  }
  if (nodes.size === 0) {
    r.error('$.nodes', 'is empty: a menu needs at least one node')
    return {problems: r.problems}
  }
  let entry = typeof value.entry === 'string' ? value.entry : undefined
  if (value.entry !== undefined && entry === undefined) r.error('$.entry', 'must be a node id')
  if (entry === undefined) entry = nodes.has('main') ? 'main' : order[0]
  else if (!nodes.has(entry)) r.error('$.entry', `names node "${entry}", which does not exist`, hintFor(entry, order))
  else if (nodes.has('main') && entry !== 'main') r.error(nodes.get('main')!.path, `node main is not the entry node (${entry}); in a step, main always means the entry node`, `Rename the node, or make it the entry: entry: main.`)

  const menu: Menu = {
    entry, nodes, apology: d.apology, voice: d.voice, transferFrom: d.transferFrom, declared,
    ...(typeof value.name === 'string' ? {name: value.name} : {}),
  }
  inferParents(menu)
  return {menu, problems: r.problems}
}

/** A "did you mean" for a node id that does not exist. */
export function hintFor(id: string, ids: readonly string[]): string | undefined {
  const near = didYouMean(id, ids)
  return near ? `Did you mean ${near}?` : `Nodes: ${ids.slice(0, 12).join(', ')}${ids.length > 12 ? ', ...' : ''}.`
}

/** Every step of a node: its choices, handlers and `then`, labelled the way reports and graphs name them. */
export function stepsOf(node: MenuNode): Array<{label: string; kind: 'choice' | 'invalid' | 'no-input' | 'then'; key?: string; step: Step}> {
  const out: Array<{label: string; kind: 'choice' | 'invalid' | 'no-input' | 'then'; key?: string; step: Step}> = []
  for (const [key, step] of node.choices) out.push({label: key, kind: 'choice', key, step})
  if (node.invalid) out.push({label: 'invalid', kind: 'invalid', step: node.invalid})
  if (node.noInput) out.push({label: 'no input', kind: 'no-input', step: node.noInput})
  if (node.then) out.push({label: 'then', kind: 'then', step: node.then})
  return out
}

/** The node a step leads to from `from`, or undefined for hang-up and transfer (and unknown targets). */
export function targetOf(menu: Menu, from: MenuNode, next: Next): string | undefined {
  switch (next.kind) {
    case 'goto': return next.node
    case 'repeat': return from.id
    case 'main': return menu.entry
    case 'back': return from.parent
    default: return undefined
  }
}

/** `back` from a node without `parent:` goes to the one menu that leads to it (check reports when that is not one). */
function inferParents(menu: Menu): void {
  const from = new Map<string, Set<string>>()
  for (const node of menu.nodes.values()) {
    for (const {step} of stepsOf(node)) {
      if (step.next.kind !== 'goto' || step.next.node === node.id) continue
      const set = from.get(step.next.node) ?? new Set<string>()
      set.add(node.id)
      from.set(step.next.node, set)
    }
  }
  for (const node of menu.nodes.values()) {
    if (node.parent !== undefined) continue
    const parents = [...(from.get(node.id) ?? [])]
    // A message node passes `back` on to the menu that led to it.
    if (parents.length === 1) node.parent = parents[0]
  }
}

/** The menus that lead to a node (for check's message when `back` is ambiguous). */
export function predecessors(menu: Menu, id: string): string[] {
  const out: string[] = []
  for (const node of menu.nodes.values()) {
    if (node.id === id) continue
    if (stepsOf(node).some(({step}) => step.next.kind === 'goto' && step.next.node === id)) out.push(node.id)
  }
  return out
}
