/** Where a session's key presses come from (a script, or a person typing), and how keys fill a capture. */
import {TIMING, type CaptureEnd} from './types.js'

/** Where a session's key presses come from: a script (one entry per capture), or a person typing. */
export interface InputSource {
  interactive: boolean
  next(timeoutMs: number): Promise<string>
}

export class ScriptedInput implements InputSource {
  interactive = false
  constructor(private readonly presses: string[]) {}
  get exhausted(): boolean {
    return this.presses.length === 0
  }

  async next(): Promise<string> {
    return this.presses.shift() ?? ''
  }
}

export class LiveInput implements InputSource {
  interactive = true
  private queue: string[] = []
  private waiter?: (keys: string) => void
  /** The person hung up (end of input, Ctrl-D, Ctrl-C); keys typed before it are still pressed. */
  private hangingUp = false
  /** Whether the caller has gone: hung up with no typed keys left to press. */
  get gone(): boolean {
    return this.hangingUp && this.queue.length === 0
  }

  hangUp(): void {
    this.hangingUp = true
    const w = this.waiter
    this.waiter = undefined
    w?.('')
  }

  push(keys: string): void {
    if (this.waiter) {
      const w = this.waiter
      this.waiter = undefined
      w(keys)
    } else this.queue.push(keys)
  }

  next(timeoutMs: number): Promise<string> {
    const queued = this.queue.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    if (this.hangingUp) return Promise.resolve('')
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiter = undefined; resolve('') }, timeoutMs).unref()
      this.waiter = (keys) => { clearTimeout(timer); resolve(keys) }
    })
  }
}

/** Splits `1,2#,,3` into one entry per capture ('' = presses nothing). */
export function parsePresses(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return []
  const list = typeof value === 'string' ? value.split(',') : [...value]
  return list.map((s) => String(s).replace(/\s+/g, ''))
}

const KEYS = /^[\d*#]*$/
export function checkPresses(presses: readonly string[]): string | undefined {
  const bad = presses.find((p) => !KEYS.test(p))
  return bad === undefined ? undefined : `"${bad}" holds keys a phone does not have (use 0-9, * and #)`
}

/**
 * How a caller's keys fill one capture: the keys come 1 s after the prompt, then 0.5 s apart;
 * `#` ends input when completeOnHash; maxDigits ends it; otherwise the digit timeout after the
 * last key, or the overall timeout when nothing (or too little, too slowly) was pressed.
 */
export function collectDigits(keys: string, rule: {maxDigits: number; onHash: boolean; digitTimeout: number; overall: number}): {digits: string; ended: CaptureEnd; elapsed: number} {
  let digits = ''
  let elapsed = 0
  for (let i = 0; i < keys.length; i++) {
    const at = i === 0 ? TIMING.firstKey : elapsed + TIMING.betweenKeys
    // The next key comes later than digitTimeout allows after the previous one: input ended before it.
    if (i > 0 && TIMING.betweenKeys > rule.digitTimeout) {
      const end = elapsed + rule.digitTimeout
      return end >= rule.overall ? {digits, ended: 'overall-timeout', elapsed: rule.overall} : {digits, ended: 'digit-timeout', elapsed: end}
    }
    if (at > rule.overall) return {digits, ended: 'overall-timeout', elapsed: rule.overall}
    elapsed = at
    const ch = keys[i]
    if (ch === '#' && rule.onHash) return {digits, ended: 'hash', elapsed}
    digits += ch
    if (digits.length >= rule.maxDigits) return {digits, ended: 'max-digits', elapsed}
  }
  if (keys.length === 0) return {digits, ended: 'overall-timeout', elapsed: rule.overall}
  const deadline = elapsed + rule.digitTimeout
  return deadline >= rule.overall ? {digits, ended: 'overall-timeout', elapsed: rule.overall} : {digits, ended: 'digit-timeout', elapsed: deadline}
}
