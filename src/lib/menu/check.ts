/**
 * `ivr menu check`: static analysis of a menu. Dangling references, unreachable nodes, loops with
 * no way out, choices the capture settings can never produce, missing handlers, prompt lengths,
 * placeholders, and every callflow the menu can emit passed through the shared validator.
 */
import {LIMITS, type VcaResponse} from '../callflow/types.js'
import {validateCallflow, type Problem} from '../callflow/validate.js'
import {PLACEHOLDER_RE, PLACEHOLDERS, fill, resolveNode, resolveStep, type CallContext} from './answer.js'
import {hintFor, parseMenuText, predecessors, stepsOf, targetOf, type LoadedMenu, type Menu, type MenuNode, type Step} from './model.js'

export interface CheckOptions {
  /** Voice profile codes (the account's cached list); absent: a warning that voices were not checked. */
  knownProfiles?: ReadonlySet<string>
  /** false: no "could not check" warnings. Default true. */
  warnUnchecked?: boolean
}

/** Characters of speech per second, to say how long a prompt takes. */
const CHARS_PER_SECOND = 15
/** A menu prompt longer than this is hard to follow (about 40 s of speech). */
export const LONG_PROMPT_CHARS = 600

/** What placeholders are filled with when the emitted callflows are validated. */
const SAMPLE: CallContext = {caller: '+6591234567', called: '+6531591234', digits: '1', direction: 'INBOUND', sessionId: '0f8fad5b-d9cb-469f-a165-70867728950e'}
/** The longest each placeholder can be, for the length limit. */
const LONGEST: Record<string, string> = {caller: '+'.padEnd(16, '9'), called: '+'.padEnd(16, '9'), digits: '9'.repeat(25), customer: '+'.padEnd(16, '9'), virtualNumber: '+'.padEnd(16, '9'), sessionId: 'x'.repeat(36)}

const isTerminal = (s: Step) => s.next.kind === 'hangup' || s.next.kind === 'transfer'

/** Every problem of a menu file's text, located by line and column. */
export function checkMenuText(text: string, fileName: string, opts: CheckOptions = {}): LoadedMenu {
  const loaded = parseMenuText(text, fileName)
  if (!loaded.menu) return loaded
  const more = checkMenu(loaded.menu, opts).map((p) => {
    if (p.line !== undefined || p.unchecked) return p
    const pos = loaded.doc.locate(p.path)
    return pos ? {...p, line: pos.line, column: pos.column} : p
  })
  const problems = [...loaded.problems, ...more].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
  return {...loaded, problems}
}

/** The semantic problems of a menu that read without structural errors. */
export function checkMenu(menu: Menu, opts: CheckOptions = {}): Problem[] {
  const out: Problem[] = []
  const error = (path: string, message: string, hint?: string) => out.push({path, message, severity: 'error', ...(hint ? {hint} : {})})
  const warn = (path: string, message: string, hint?: string) => out.push({path, message, severity: 'warning', ...(hint ? {hint} : {})})
  const ids = [...menu.nodes.keys()]

  for (const node of menu.nodes.values()) {
    if (node.parent !== undefined && !menu.nodes.has(node.parent)) error(`${node.path}.parent`, `names node "${node.parent}", which does not exist`, hintFor(node.parent, ids))
    for (const {label, step} of stepsOf(node)) {
      const n = step.next
      if (n.kind === 'goto' && !menu.nodes.has(n.node)) error(step.path, `leads to node "${n.node}", which does not exist`, hintFor(n.node, ids))
      if (n.kind === 'back' && node.parent === undefined) {
        const from = predecessors(menu, node.id)
        error(step.path, `back from ${node.id} (${label}) has nowhere to go: ${from.length === 0 ? `nothing leads to ${node.id}` : `${node.id} is reached from ${from.join(' and ')}`}`, `Say where back leads with parent: on node ${node.id}, or use goto.`)
      }
    }
    if (node.kind === 'menu') checkMenuNode(menu, node, error, warn)
    checkTexts(node, error, warn)
  }

  checkReachability(menu, warn)
  checkLoops(menu, error)
  out.push(...validateEmitted(menu, opts))
  return out
}

function checkMenuNode(menu: Menu, node: MenuNode, error: (p: string, m: string, h?: string) => void, warn: (p: string, m: string, h?: string) => void): void {
  const c = node.capture
  const cp = `${node.path}.capture`
  if (c.minDigits > c.maxDigits) error(cp, `minDigits ${c.minDigits} is more than maxDigits ${c.maxDigits}: no entry can be captured`)
  if (node.choices.size === 0) warn(`${node.path}.choices`, `menu ${node.id} has no choices: every key press is invalid input`)
  for (const [key, step] of node.choices) {
    const hashAt = key.indexOf('#')
    if (hashAt >= 0 && c.completeOnHash) {
      error(step.path, `"${key}" can never be chosen: # ends the input here (completeOnHash), it is never part of the digits`, hashAt === key.length - 1 ? `Write "${key.slice(0, -1)}".` : 'Set capture.completeOnHash: false to capture # as a key.')
      continue
    }
    if (key.length > c.maxDigits) error(step.path, `"${key}" can never be chosen: ${node.id} captures at most ${c.maxDigits} digit${c.maxDigits === 1 ? '' : 's'} (capture.maxDigits)`, `Raise capture.maxDigits to ${key.length}, or use a shorter key.`)
    else if (key.length < c.minDigits) error(step.path, `"${key}" can never be chosen: ${node.id} needs at least ${c.minDigits} digits (capture.minDigits)`, `Lower capture.minDigits to ${key.length}.`)
  }
  const missing = [...(node.invalid ? [] : ['invalid-input']), ...(node.noInput ? [] : ['no-input'])]
  if (missing.length > 0) {
    const when = [...(node.invalid ? [] : ['on a key with no choice']), ...(node.noInput ? [] : ['when nothing is pressed'])].join(' or ')
    const fix = [...(node.invalid ? [] : ['invalid: {say: "Sorry, that is not an option.", repeat: true}']), ...(node.noInput ? [] : ['noInput: {say: "We did not hear a choice.", repeat: true}'])].join(' and ')
    warn(node.path, `menu ${node.id} has no ${missing.join(' or ')} handling: ${when} the menu is repeated without a word, and the caller is not told why`, `Add ${fix} here or under defaults.`)
  }
  if (node.invalid && node.invalid.next.kind === 'repeat' && !node.invalid.say && !node.invalid.play && menu.declared.get(node.id)?.invalid) {
    warn(node.invalid.path, 'repeats the menu without telling the caller what went wrong', 'Add say: to the handler.')
  }
}

function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1])
}

function checkTexts(node: MenuNode, error: (p: string, m: string, h?: string) => void, warn: (p: string, m: string, h?: string) => void): void {
  const texts: Array<{path: string; text: string; prompt?: boolean}> = []
  if (node.say !== undefined) texts.push({path: `${node.path}.say`, text: node.say, prompt: node.kind === 'menu'})
  if (node.play !== undefined) texts.push({path: `${node.path}.play`, text: node.play})
  for (const {step} of stepsOf(node)) {
    if (step.say !== undefined) texts.push({path: `${step.path}.say`, text: step.say})
    if (step.play !== undefined) texts.push({path: `${step.path}.play`, text: step.play})
    if (step.next.kind === 'transfer') {
      texts.push({path: `${step.path}.transfer`, text: step.next.to})
      if (step.next.from !== undefined) texts.push({path: `${step.path}.transfer`, text: step.next.from})
    }
  }
  for (const t of texts) {
    for (const name of placeholdersIn(t.text)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) error(t.path, `placeholder {{${name}}} is not one the menu server fills`, `Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`)
    }
    if (t.path.endsWith('.say')) {
      const longest = fill(t.text, LONGEST).length
      if (t.text.length <= LIMITS.textLength && longest > LIMITS.textLength) {
        error(t.path, `can be ${longest} characters once its placeholders are filled; the platform speaks at most ${LIMITS.textLength}`, 'Shorten the text.')
      } else if (t.prompt && t.text.length > LONG_PROMPT_CHARS && t.text.length <= LIMITS.textLength) {
        warn(t.path, `the prompt is ${t.text.length} characters (about ${Math.round(t.text.length / CHARS_PER_SECOND)} s of speech): callers forget the first options`, 'Split it into a shorter menu and a submenu.')
      }
    }
  }
}

/** Nodes nothing leads to from the entry. */
function checkReachability(menu: Menu, warn: (p: string, m: string, h?: string) => void): void {
  const seen = new Set<string>()
  const queue = [menu.entry]
  while (queue.length > 0) {
    const id = queue.shift()!
    const node = menu.nodes.get(id)
    if (!node || seen.has(id)) continue
    seen.add(id)
    for (const {step} of stepsOf(node)) {
      const t = targetOf(menu, node, step.next)
      if (t !== undefined && !seen.has(t)) queue.push(t)
    }
  }
  for (const node of menu.nodes.values()) {
    if (!seen.has(node.id)) warn(node.path, `node ${node.id} is unreachable: no path from the entry node ${menu.entry} leads to it`, 'Link it from a menu, or remove it.')
  }
}

/** Cycles from which no hang-up or transfer can be reached: a caller stuck until they hang up. */
function checkLoops(menu: Menu, error: (p: string, m: string, h?: string) => void): void {
  const succ = new Map<string, string[]>()
  const canExit = new Set<string>()
  for (const node of menu.nodes.values()) {
    const targets: string[] = []
    for (const {step} of stepsOf(node)) {
      const t = targetOf(menu, node, step.next)
      // A step to nowhere is reported as dangling; at run time it is the apology, which hangs up.
      if (isTerminal(step) || t === undefined || !menu.nodes.has(t)) canExit.add(node.id)
      else targets.push(t)
    }
    // A menu without its own handlers repeats itself on bad input.
    if (node.kind === 'menu' && (!node.invalid || !node.noInput)) targets.push(node.id)
    succ.set(node.id, targets)
  }
  let changed = true
  while (changed) {
    changed = false
    for (const [id, targets] of succ) {
      if (!canExit.has(id) && targets.some((t) => canExit.has(t))) {
        canExit.add(id)
        changed = true
      }
    }
  }
  const reported = new Set<string>()
  for (const node of menu.nodes.values()) {
    if (canExit.has(node.id) || reported.has(node.id)) continue
    // Every node it reaches is stuck too: report the whole trap once, from its first node in the file.
    const trap: string[] = []
    const stack = [node.id]
    const seen = new Set<string>()
    while (stack.length > 0) {
      const id = stack.pop()!
      if (seen.has(id)) continue
      seen.add(id)
      trap.push(id)
      for (const t of succ.get(id) ?? []) stack.push(t)
    }
    for (const id of trap) reported.add(id)
    const cycle = findCycle(node.id, succ)
    error(node.path, `loop with no way out: ${cycle.join(' → ')}; no choice from ${trap.length === 1 ? 'it' : `${trap.join(', ')}`} leads to a hang-up or transfer`, 'Give one of these menus a choice (or handler) that hangs up or transfers.')
  }
}

function findCycle(start: string, succ: Map<string, string[]>): string[] {
  const path: string[] = []
  const onPath = new Set<string>()
  const done = new Set<string>()
  const dfs = (id: string): string[] | undefined => {
    path.push(id)
    onPath.add(id)
    for (const t of succ.get(id) ?? []) {
      if (onPath.has(t)) return [...path.slice(path.indexOf(t)), t]
      if (!done.has(t)) {
        const found = dfs(t)
        if (found) return found
      }
    }
    path.pop()
    onPath.delete(id)
    done.add(id)
    return undefined
  }
  return dfs(start) ?? [start]
}

/**
 * Each piece of callflow the menu emits, through the shared validator (VCA-answer context): a menu
 * node's prompt and capture, a message node's message, and each step's message and final action.
 * Each piece is judged on its own, so a problem is reported once, where it is written.
 */
function validateEmitted(menu: Menu, opts: CheckOptions): Problem[] {
  const out: Problem[] = []
  const seenUnchecked = new Set<number | undefined>()
  const seenVoices = new Set<string>()
  const local = (s: Step): Step => (isTerminal(s) ? s : {...s, next: {kind: 'hangup'}})
  const judge = (answer: VcaResponse, where: string, what: string) => {
    // A callflow with a message only and no action of ours is judged without the hangup we added.
    for (const p of validateCallflow(answer, {context: 'vca', knownProfiles: opts.knownProfiles, vcaWebhookRegistered: true, warnUnchecked: opts.warnUnchecked})) {
      if (p.unchecked) {
        if (seenUnchecked.has(p.code)) continue
        seenUnchecked.add(p.code)
        out.push({...p, path: '$'})
        continue
      }
      // An unknown voice is named once, where it is first used, not in every handler that inherits it.
      if (p.code === -1002) {
        if (seenVoices.has(p.message)) continue
        seenVoices.add(p.message)
      }
      out.push({...p, path: where, message: `${what}: ${p.path.replace(/^\$\./, '')} ${p.message}`})
    }
  }
  for (const node of menu.nodes.values()) {
    if (node.kind === 'menu') {
      const res = resolveNode(menu, node.id, SAMPLE)
      judge({clientActionId: node.id, callflow: res.actions}, node.path, `the prompt of ${node.id}`)
    } else if (node.say !== undefined || node.play !== undefined) {
      const res = resolveStep(menu, node, {say: node.say, play: node.play, next: {kind: 'hangup'}, path: node.path}, SAMPLE)
      judge({callflow: res.actions}, node.path, `the message of ${node.id}`)
    }
    for (const {label, step} of stepsOf(node)) {
      if (!isTerminal(step) && step.say === undefined && step.play === undefined) continue
      const res = resolveStep(menu, node, local(step), SAMPLE)
      judge({callflow: res.actions}, step.path, `the answer to ${node.id} ${label}`)
    }
  }
  return out
}
