import readline from 'node:readline'
import type {Readable} from 'node:stream'

import type {Colors} from '../render/colors.js'
import {getTimeline, hangUpCall, sendDigits, type SandboxTarget} from '../sandbox/control.js'
import type {Timeline} from '../sandbox/engine.js'
import {formatEventLine} from '../sandbox/timeline-view.js'
import type {Speaker} from './speech.js'

export interface CallOutput {
  /** A timeline line (stdout). */
  out(line: string): void
  /** The question for keys (stderr, no line break). */
  ask(text: string): void
  warn(text: string): void
}

/** "1 digit", "4 digits", "1-4 digits". */
export function digitsHint(min: number, max: number): string {
  const low = Math.max(1, min)
  if (low === max) return `${max} digit${max === 1 ? '' : 's'}`
  return `${low}-${max} digits`
}

/** A call being followed; hangUp() is the caller hanging up (Ctrl-C), after keys already sent. */
export interface FollowedCall {
  ended: Promise<Timeline>
  hangUp(): Promise<void>
}

/**
 * Follows a sandbox session, printing its timeline as it happens. With `keys` (a terminal or a
 * pipe), the caller is a person: each line is pressed at the next capture, and the end of input
 * (Ctrl-D, or the pipe running dry) hangs up once those keys are pressed.
 */
export function followCall(target: SandboxTarget, sessionId: string, opts: {io: CallOutput; colors: Colors; askColors?: Colors; keys?: Readable; speaker?: Speaker}): FollowedCall {
  const {io, colors} = opts
  // Keys and the hang-up reach the sandbox in the order they were typed.
  let sent: Promise<unknown> = Promise.resolve()
  let hungUp = false
  const send = (what: () => Promise<unknown>) => {
    sent = sent.then(what).catch((error: Error) => io.warn(error.message))
    return sent
  }
  const hangUp = async () => {
    if (hungUp) return
    hungUp = true
    await send(() => hangUpCall(target, sessionId))
  }
  const rl = opts.keys ? readline.createInterface({input: opts.keys}) : undefined
  rl?.on('line', (line) => void send(() => sendDigits(target, sessionId, line.trim())))
  rl?.on('close', () => void hangUp())

  const ended = (async () => {
    let seen = 0
    try {
      for (;;) {
        const t = await getTimeline(target, sessionId, {waitMs: 25_000, since: seen})
        for (const e of t.events.slice(seen)) {
          const line = formatEventLine(t, e, colors)
          if (line) io.out(line)
          if (e.kind === 'say') opts.speaker?.say(e.text)
          if (opts.keys && e.kind === 'waiting' && !hungUp && t.state !== 'ended') {
            io.ask((opts.askColors ?? colors).bold(`Your keys (${digitsHint(e.minDigits, e.maxDigits)}${e.completeOnHash ? ', # to finish' : ''}), then Enter: `))
          }
        }
        seen = t.events.length
        if (t.state === 'ended') return t
      }
    } finally {
      rl?.removeAllListeners('close')
      rl?.close()
    }
  })()
  return {ended, hangUp}
}
