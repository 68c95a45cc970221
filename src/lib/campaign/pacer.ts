/**
 * The pacer: when the next call may start. Starts are scheduled `1/rate` apart on a fixed grid, so
 * lateness (a timer firing late, a slow journal write) does not drift the rate: the next start is
 * still due at its own slot. When nothing could start (the live limit, nobody due, a closed window)
 * the grid restarts from now, so no burst follows a pause. A 429 halves the pace and waits its
 * Retry-After; the pace recovers a tenth every ten seconds without one. With a pace shared by
 * several runners (PostgreSQL) the grid is the database's slots, and this keeps only the 429's hold
 * and the slowed rate the slots are claimed at.
 */
export interface PacerOptions {
  /** Calls per second for the whole campaign. */
  rate: number
  now?: () => number
}

export class Pacer {
  private slow = 1
  private next: number
  private holdUntil = 0
  private lastLimited = 0
  private readonly now: () => number

  constructor(private readonly opts: PacerOptions) {
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now())
    this.next = this.now()
  }

  /** The rate aimed at now: the campaign's, slowed after a 429. */
  get rate(): number {
    return this.opts.rate * this.slow
  }

  private get interval(): number {
    return 1000 / this.rate
  }

  /** The moment the next call is due (epoch ms, fractional). */
  dueAt(): number {
    this.recover()
    return Math.max(this.next, this.holdUntil)
  }

  /** The end of the wait a 429 asked for, while it lasts (epoch ms). */
  holding(at = this.now()): number | undefined {
    return this.holdUntil > at ? this.holdUntil : undefined
  }

  /** A call started for the slot that was due: the next slot is one interval on. Returns its lateness (ms). */
  started(at = this.now()): number {
    const due = this.dueAt()
    this.next = due + this.interval
    return Math.max(0, at - due)
  }

  /** Nothing could start at the slot: the grid starts again from `at`. */
  idle(at = this.now()): void {
    this.next = Math.max(at, this.holdUntil)
  }

  /** The platform said 429: wait `retryAfterMs` and go at half the pace. */
  limited(retryAfterMs: number, at = this.now()): void {
    this.holdUntil = Math.max(this.holdUntil, at + retryAfterMs)
    this.slow = Math.max(0.05, this.slow / 2)
    this.lastLimited = at
  }

  private recover(): void {
    if (this.slow >= 1) return
    const at = this.now()
    if (at - this.lastLimited >= 10_000) {
      this.slow = Math.min(1, this.slow * 1.1)
      this.lastLimited = at
    }
  }
}

/** Waits until epoch time `at` (ms), or until the signal aborts. */
export function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  const ms = at - (performance.timeOrigin + performance.now())
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })
}
