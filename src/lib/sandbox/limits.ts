/**
 * The platform's limits the sandbox can impose: Send Callflow requests per second (answered 429
 * with Retry-After past it) and live calls at once (trunk capacity, -2010 past it).
 */

export interface SandboxLimits {
  /** Send Callflow requests accepted per second (a token bucket holding up to one second's worth, at least 1). */
  cps?: number
  /** Calls live at once (from CREATED until the call is over); more end with ERROR -2010. */
  maxCalls?: number
}

/** Why the limits cannot be used, or undefined when they can. */
export function checkLimits(l: SandboxLimits): string | undefined {
  if (l.cps !== undefined && !(Number.isFinite(l.cps) && l.cps > 0)) return 'cps must be a number above 0 (calls per second, fractions allowed)'
  if (l.maxCalls !== undefined && !(Number.isSafeInteger(l.maxCalls) && l.maxCalls >= 1)) return 'maxCalls must be a whole number, 1 or more'
  return undefined
}

/** A token bucket: `rate` tokens a second, holding at most max(1, rate). */
export class RateLimiter {
  private tokens: number
  private last: number
  private readonly capacity: number

  constructor(private readonly rate: number, now: number) {
    this.capacity = Math.max(1, rate)
    this.tokens = this.capacity
    this.last = now
  }

  /** Takes a token: 0 when one was free, else the whole seconds to wait before one is (Retry-After, at least 1). */
  take(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate))
  }
}
