import type {CallflowRequest} from '../callflow/types.js'
import {usageError} from '../errors.js'

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}

/** `--timeout` for --wait: 90s, 5m, 1h30m, or plain seconds. */
export function parseWaitTimeout(text: string): number {
  const t = text.trim().toLowerCase()
  if (/^\d+$/.test(t)) return Number(t) * 1000
  if (/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(t)) {
    let ms = 0
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]]
    if (ms > 0) return ms
  }
  throw usageError(`--timeout "${text}" is not a duration.`, ['Use e.g. 90s, 5m or 1h.'])
}

/** The number the first makeCall rings: whose callee script `--press` sets. */
export function destinationOf(request: CallflowRequest): string {
  const first = request.callflow?.[0]
  if (first?.action === 'makeCall' && first.params?.destination) return String(first.params.destination)
  throw usageError('--press needs a callflow whose first action is a makeCall with a destination.')
}
