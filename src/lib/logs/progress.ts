import {formatElapsed} from './jobs.js'

export interface Progress {
  /**
   * The current state: `key` says what kind (a status, a file), `text` is what the user reads, and
   * `live` a detail that changes all the time (bytes so far), shown only on the redrawn line.
   */
  set(key: string, text: string, live?: string): void
  /** Clears the live line (on a terminal); later output starts on a clean line. */
  stop(): void
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * Progress on stderr. On a terminal: one line redrawn in place, with a spinner and the elapsed time
 * ticking every second. Elsewhere (CI logs, pipes): a plain line whenever the state changes, and a
 * reminder every `heartbeatMs` while it does not, so a log shows both what happened and that it is alive.
 */
export function startProgress(opts: {write: (text: string) => void; tty: boolean; now?: () => number; heartbeatMs?: number}): Progress {
  const now = opts.now ?? Date.now
  const started = now()
  const heartbeat = opts.heartbeatMs ?? 30_000
  let text = ''
  let key: string | undefined
  let lastPrinted = 0
  let frame = 0
  let drawn = false
  const draw = () => {
    if (!text) return
    frame = (frame + 1) % FRAMES.length
    opts.write(`\r\u001B[2K${FRAMES[frame]} ${text} · ${formatElapsed(now() - started)}`)
    drawn = true
  }
  const timer = opts.tty ? setInterval(draw, 1000) : undefined
  timer?.unref()
  return {
    set(k, t, live) {
      const changed = k !== key
      key = k
      text = live ? `${t}: ${live}` : t
      if (opts.tty) return draw()
      if (changed || now() - lastPrinted >= heartbeat) {
        opts.write(`${t} (${formatElapsed(now() - started)})\n`)
        lastPrinted = now()
      }
    },
    stop() {
      if (timer) clearInterval(timer)
      if (drawn) opts.write('\r\u001B[2K')
      drawn = false
    },
  }
}
