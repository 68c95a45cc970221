/**
 * The action registry: one entry per callflow action, keyed by name and checked by the compiler
 * (`satisfies Record<ActionName, ...>`), so a new action cannot compile until it says what it is.
 * The parameter specs and checkers sit beside the validator (validate.ts: PARAMS, CHECKERS), the
 * simulation in the sandbox's engine (an exhaustive switch); docs/architecture.md lists them all.
 */
import type {LastAction} from '../webhooks/payloads.js'
import type {ACTION_NAMES, ActionName} from './types.js'

export interface ActionFacts {
  /** The session summary's `lastAction` when this action ran last. */
  lastAction: LastAction
  /** The choice `ivr callflow new` offers for it. */
  builderChoice: string
}

export const ACTIONS = {
  say: {lastAction: 'SAY', builderChoice: 'say: speak a text'},
  sayAndCapture: {lastAction: 'SAY_AND_CAPTURE', builderChoice: 'sayAndCapture: speak a menu and capture digits'},
  playFile: {lastAction: 'PLAY_FILE', builderChoice: 'playFile: play an mp3 or wav'},
  makeCall: {lastAction: 'MAKE_CALL', builderChoice: 'makeCall: bridge another number into the call'},
  hangup: {lastAction: 'HANGUP', builderChoice: 'hangup: end the call'},
} as const satisfies Record<ActionName, ActionFacts>

/** Fails to compile while ACTION_NAMES (the -1007 message's list) leaves out an action. */
export const ACTION_NAMES_COMPLETE: Record<Exclude<ActionName, (typeof ACTION_NAMES)[number]>, never> = {}

/** For the `default` of a switch over action names: a new name that no case handles fails to compile here. */
export function unhandledAction(name: never): never {
  throw new Error(`unhandled callflow action ${String(name)}`)
}
