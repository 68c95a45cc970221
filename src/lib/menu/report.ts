/** Lines `ivr serve` prints: one per request, stripe-listen style. */
import type {Colors} from '../render/colors.js'
import {safeLine} from '../render/safe.js'
import {describeOutcome} from './answer.js'
import type {AnswerReport} from './server.js'
import {clockTime} from '../render/time.js'

/** `12:03:04  3f2a9c1e  main  1  → reservations  0.4 ms` (local time, the session's first 8 characters). */
export function answerLine(r: AnswerReport, c: Colors): string {
  const time = c.dim(clockTime(r.at))
  const session = safeLine(r.sessionId ?? '-').slice(0, 8).padEnd(8)
  const from = c.bold(safeLine(r.from ?? (r.taken === 'call received' ? 'CALL' : '-')).padEnd(12))
  const taken = safeLine(r.taken === 'call received' ? 'received' : r.taken || '-').padEnd(9)
  const outcome = r.answer.resolution.outcome
  // A transfer number may come from the payload: cleaned before it is painted.
  const what = safeLine(describeOutcome(outcome))
  const painted = outcome.kind === 'apology' ? c.red(what) : outcome.kind === 'menu' ? c.cyan(what) : c.green(what)
  return `${time}  ${session}  ${from} ${taken} ${painted}  ${c.dim(`${r.ms.toFixed(1)} ms`)}`
}

/** The same, as one JSON object (NDJSON under --json). */
export function answerRecord(r: AnswerReport): Record<string, unknown> {
  const o = r.answer.resolution.outcome
  return {
    time: r.at.toISOString(),
    sessionId: r.sessionId ?? null,
    from: r.from ?? null,
    taken: r.taken,
    outcome: o.kind,
    ...(o.kind === 'menu' ? {node: o.node} : {}),
    ...(o.kind === 'transfer' ? {transferTo: o.to} : {}),
    entered: r.answer.resolution.entered,
    ...(r.answer.problem ? {problem: r.answer.problem} : {}),
    ms: Math.round(r.ms * 1000) / 1000,
  }
}
