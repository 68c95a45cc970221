/**
 * From a menu and a VCA payload to the next callflow: the heart of `ivr serve`, and what
 * `menu check` runs for every node and step to validate each callflow the menu can emit.
 * Stateless: where the caller is comes from the clientActionId alone.
 */
import type {Action, CallflowRequest, VcaResponse} from '../callflow/types.js'
import type {ReadCallEvent} from '../webhooks/parse.js'
import {type Menu, type MenuNode, type Step, targetOf} from './model.js'

/** What placeholders are filled from. */
export interface CallContext {
  caller?: string
  called?: string
  digits?: string
  direction?: 'INBOUND' | 'OUTBOUND' | string
  sessionId?: string
}

export const PLACEHOLDERS = ['caller', 'called', 'digits', 'customer', 'virtualNumber', 'sessionId'] as const
export type PlaceholderName = (typeof PLACEHOLDERS)[number]
export const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g

/** The values of the placeholders for one call. customer/virtualNumber follow the call's direction. */
export function placeholderValues(ctx: CallContext): Record<PlaceholderName, string> {
  const inbound = ctx.direction !== 'OUTBOUND'
  return {
    caller: ctx.caller ?? '',
    called: ctx.called ?? '',
    digits: ctx.digits ?? '',
    customer: (inbound ? ctx.caller : ctx.called) ?? '',
    virtualNumber: (inbound ? ctx.called : ctx.caller) ?? '',
    sessionId: ctx.sessionId ?? '',
  }
}

/** Fills {{name}}; unknown names become empty (check reports them), so braces are never spoken. */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  if (!text.includes('{{')) return text
  return text.replace(PLACEHOLDER_RE, (_, name: string) => (Object.hasOwn(values, name) ? values[name] : ''))
}

export type Outcome =
  | {kind: 'menu'; node: string}
  | {kind: 'hangup'}
  | {kind: 'transfer'; to: string}
  | {kind: 'apology'; reason: string}

export interface Resolution {
  actions: Action[]
  /** The menu node whose capture ends these actions (sent as clientActionId). */
  clientActionId?: string
  /** Nodes entered on the way, in order. */
  entered: string[]
  outcome: Outcome
}

/** How many message nodes may chain into each other before it counts as a loop. */
const MAX_CHAIN = 32

class Resolver {
  constructor(private readonly menu: Menu, private readonly values: Readonly<Record<string, string>>) {}

  private message(out: Action[], src: {say?: string; play?: string; voice?: string; speed?: number}, node: MenuNode): void {
    if (src.play !== undefined) out.push({action: 'playFile', params: {fileUrl: fill(src.play, this.values)}})
    if (src.say !== undefined) {
      const speed = src.speed ?? node.speed
      out.push({action: 'say', params: {text: fill(src.say, this.values), voiceProfile: src.voice ?? node.voice, ...(speed === 1 ? {} : {speed})}})
    }
  }

  node(node: MenuNode, res: Resolution, depth: number): void {
    res.entered.push(node.id)
    if (node.kind === 'menu') {
      if (node.play !== undefined) res.actions.push({action: 'playFile', params: {fileUrl: fill(node.play, this.values)}})
      const c = node.capture
      res.actions.push({
        action: 'sayAndCapture',
        params: {
          promptMessage: fill(node.say ?? '', this.values), voiceProfile: node.voice, ...(node.speed === 1 ? {} : {speed: node.speed}),
          minDigits: c.minDigits, maxDigits: c.maxDigits, digitTimeout: c.digitTimeout, overallTimeout: c.overallTimeout,
          completeOnHash: c.completeOnHash, noOfTries: c.tries,
        },
      })
      res.clientActionId = node.id
      res.outcome = {kind: 'menu', node: node.id}
      return
    }
    this.message(res.actions, node, node)
    this.step(node.then!, node, res, depth + 1)
  }

  step(step: Step, from: MenuNode, res: Resolution, depth: number): void {
    this.message(res.actions, step, from)
    const next = step.next
    if (next.kind === 'hangup') {
      res.actions.push({action: 'hangup'})
      res.outcome = {kind: 'hangup'}
      return
    }
    if (next.kind === 'transfer') {
      const to = fill(next.to, this.values)
      res.actions.push({action: 'makeCall', params: {source: fill(next.from ?? this.menu.transferFrom, this.values), destination: to, ...(next.record ? {callRecording: true} : {})}})
      res.outcome = {kind: 'transfer', to}
      return
    }
    const target = this.menu.nodes.get(targetOf(this.menu, from, next) ?? (next.kind === 'back' ? this.menu.entry : ''))
    if (!target || depth > MAX_CHAIN) {
      this.apology(res, target ? 'message nodes lead into each other without end' : `step leads to a node that does not exist`)
      return
    }
    this.node(target, res, depth)
  }

  apology(res: Resolution, reason: string): void {
    const entry = this.menu.nodes.get(this.menu.entry)
    res.actions.push({action: 'say', params: {text: this.menu.apology, voiceProfile: entry?.voice ?? this.menu.voice}}, {action: 'hangup'})
    delete res.clientActionId
    res.outcome = {kind: 'apology', reason}
  }
}

const empty = (): Resolution => ({actions: [], entered: [], outcome: {kind: 'hangup'}})

/** The callflow that plays a node (a menu's prompt and capture, or a message and what follows). */
export function resolveNode(menu: Menu, id: string, ctx: CallContext = {}): Resolution {
  const res = empty()
  const r = new Resolver(menu, placeholderValues(ctx))
  const node = menu.nodes.get(id)
  if (!node) r.apology(res, `no node ${id}`)
  else r.node(node, res, 0)
  return res
}

/** The callflow one step of a node leads to. */
export function resolveStep(menu: Menu, node: MenuNode, step: Step, ctx: CallContext = {}): Resolution {
  const res = empty()
  new Resolver(menu, placeholderValues(ctx)).step(step, node, res, 0)
  return res
}

/** The spoken apology and hang-up, for when nothing better can be answered. */
export function apologyResolution(menu: Menu, reason: string): Resolution {
  const res = empty()
  new Resolver(menu, {}).apology(res, reason)
  return res
}

/** What the caller's digits picked in a menu node: a choice, or a handler (repeat when none is given). */
export function pickStep(node: MenuNode, digits: string | undefined): {step: Step; taken: string; kind: 'choice' | 'invalid' | 'no-input'} {
  if (digits === undefined || digits === '') {
    return {step: node.noInput ?? {next: {kind: 'repeat'}, path: node.path}, taken: 'no input', kind: 'no-input'}
  }
  const choice = node.choices.get(digits) ?? node.choices.get(digits.replace(/#$/, ''))
  if (choice) return {step: choice, taken: digits, kind: 'choice'}
  return {step: node.invalid ?? {next: {kind: 'repeat'}, path: node.path}, taken: 'invalid', kind: 'invalid'}
}

export interface MenuAnswer {
  response: VcaResponse
  /** The node the caller was in (from clientActionId), if any. */
  from?: string
  /** What was taken there: the digits of a choice, `invalid`, `no input`, or `call received`. */
  taken: string
  resolution: Resolution
  /** Set when the answer is the apology: why (for a warning on stderr). */
  problem?: string
}

/** The menu node an outbound request opened with `menuStartRequest` captures in first (its VCA has no clientActionId). */
export function startNode(menu: Menu): string | undefined {
  return resolveNode(menu, menu.entry).clientActionId
}

/**
 * The answer to one VCA: CALL_RECEIVED opens the entry node; ACTION_COMPLETED looks the node up
 * by clientActionId (none: the menu opened by an outbound request) and follows the digits.
 * Never throws: anything it cannot place gets the apology, and a problem to report.
 */
export function answerCall(menu: Menu, event: ReadCallEvent, firstNode = startNode(menu)): MenuAnswer {
  const ctx: CallContext = {caller: event.source, called: event.destination, digits: event.digits, direction: event.callDirection, sessionId: event.sessionId}
  const apology = (problem: string, from?: string): MenuAnswer => {
    const resolution = apologyResolution(menu, problem)
    return {response: {callflow: resolution.actions}, taken: event.digits ?? '', resolution, problem, ...(from ? {from} : {})}
  }
  try {
    if (event.callStatus === 'CALL_RECEIVED') {
      const resolution = resolveNode(menu, menu.entry, ctx)
      return {response: toResponse(resolution), taken: 'call received', resolution}
    }
    if (event.callStatus === undefined && event.sessionId === undefined && event.clientActionId === undefined) {
      return apology('the body is not a VCA payload (no callStatus, sessionId or clientActionId)')
    }
    const id = event.clientActionId ?? firstNode
    if (id === undefined) return apology('no clientActionId, and the menu has no node that captures digits')
    const node = menu.nodes.get(id)
    if (!node) return apology(`unknown clientActionId "${id}" (not a node of this menu)`, id)
    if (node.kind !== 'menu') return apology(`clientActionId "${id}" is a message node, which captures nothing`, id)
    const picked = pickStep(node, event.digits)
    const resolution = resolveStep(menu, node, picked.step, ctx)
    return {response: toResponse(resolution), from: node.id, taken: picked.taken, resolution}
  } catch (error) {
    return apology(`internal error: ${(error as Error).message}`)
  }
}

export function toResponse(res: Resolution): VcaResponse {
  return res.clientActionId === undefined ? {callflow: res.actions} : {clientActionId: res.clientActionId, callflow: res.actions}
}

export interface StartOptions {
  /** Caller id: one of the sub-account's virtual numbers. */
  from: string
  /** Who is called. */
  to: string
  clientRequestId?: string
  validUntil?: string
  callRecording?: boolean
}

/** The Send Callflow request that calls `to` and opens the menu at its entry node. */
export function menuStartRequest(menu: Menu, opts: StartOptions): CallflowRequest {
  const res = resolveNode(menu, menu.entry, {caller: opts.from, called: opts.to, direction: 'OUTBOUND'})
  const makeCall: Action = {action: 'makeCall', params: {source: opts.from, destination: opts.to, ...(opts.callRecording ? {callRecording: true} : {})}}
  return {
    ...(opts.validUntil ? {validUntil: opts.validUntil} : {}),
    ...(opts.clientRequestId ? {clientRequestId: opts.clientRequestId} : {}),
    callflow: [makeCall, ...res.actions],
  }
}

/** One phrase for what an answer does: `→ reservations`, `transfer +65…`, `hang up`, `apology`. */
export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'menu': return `→ ${o.node}`
    case 'hangup': return 'hang up'
    case 'transfer': return `transfer ${o.to}`
    case 'apology': return 'apology, hang up'
  }
}
