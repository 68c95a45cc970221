/**
 * What the called party does, chosen by destination number like a payment sandbox's test cards.
 * One table, shared by the engine, docs/sandbox.md, tests and `ivr menu test`.
 */

export type Outcome =
  | 'answer' | 'busy' | 'no-answer' | 'failed'
  | 'no-coverage' | 'tts-failure' | 'file-failure' | 'trunk-capacity'
  | 'caller-hangup'

export const OUTCOMES: readonly Outcome[] = ['answer', 'busy', 'no-answer', 'failed', 'no-coverage', 'tts-failure', 'file-failure', 'trunk-capacity', 'caller-hangup']

export interface MagicDestination {
  number: string
  outcome: Outcome
  /** What the session ends with. */
  sessionStatus: 'COMPLETED' | 'BUSY' | 'NO_ANSWER' | 'FAILED' | 'ERROR'
  /** The VSS errorDetails.errorCode, for the error outcomes. */
  errorCode?: number
  description: string
}

/** North American 555-01xx numbers are reserved for fiction: they can never ring a real person. */
export const MAGIC_DESTINATIONS: readonly MagicDestination[] = [
  {number: '+12025550100', outcome: 'answer', sessionStatus: 'COMPLETED', description: 'answers after 4 s of ringing (what every other number does too)'},
  {number: '+12025550101', outcome: 'busy', sessionStatus: 'BUSY', description: 'busy (SIP 486) after 2 s'},
  {number: '+12025550102', outcome: 'no-answer', sessionStatus: 'NO_ANSWER', description: 'rings for 30 s, nobody answers (SIP 480)'},
  {number: '+12025550103', outcome: 'failed', sessionStatus: 'FAILED', description: 'the call fails to connect (SIP 503) after 1 s'},
  {number: '+12025550104', outcome: 'no-coverage', sessionStatus: 'ERROR', errorCode: -2004, description: 'no coverage for the area: ERROR -2004 before ringing'},
  {number: '+12025550105', outcome: 'tts-failure', sessionStatus: 'ERROR', errorCode: -2005, description: 'answers, then text-to-speech fails at the first say/sayAndCapture: ERROR -2005'},
  {number: '+12025550106', outcome: 'file-failure', sessionStatus: 'ERROR', errorCode: -2006, description: 'answers, then the first playFile cannot be downloaded: ERROR -2006'},
  {number: '+12025550107', outcome: 'trunk-capacity', sessionStatus: 'ERROR', errorCode: -2010, description: 'trunk capacity exceeded: ERROR -2010 before ringing'},
  {number: '+12025550108', outcome: 'caller-hangup', sessionStatus: 'COMPLETED', description: 'answers, then hangs up 3 s into the first prompt or message (COMPLETED, the rest of the callflow never runs)'},
]

const byNumber = new Map(MAGIC_DESTINATIONS.map((m) => [m.number.replace(/^\+/, ''), m]))

export function normalizeNumber(n: string): string {
  return n.replace(/[^\d]/g, '')
}

/** The magic entry for a destination (with or without +), if it is one. */
export function magicFor(destination: string): MagicDestination | undefined {
  return byNumber.get(normalizeNumber(destination))
}

export function isOutcome(v: unknown): v is Outcome {
  return typeof v === 'string' && (OUTCOMES as readonly string[]).includes(v)
}

export function outcomeInfo(outcome: Outcome): MagicDestination {
  return MAGIC_DESTINATIONS.find((m) => m.outcome === outcome)!
}
