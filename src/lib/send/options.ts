import type {CallflowRequest} from '../callflow/types.js'
import {parseTimeoutMs} from '../duration.js'
import {usageError} from '../errors.js'

/** `--timeout` for --wait: 90s, 5m, 1h30m, or plain seconds. */
export function parseWaitTimeout(text: string): number {
  const t = text.trim()
  const ms = parseTimeoutMs(t)
  if (ms !== undefined && ms > 0) return ms
  throw usageError(`--timeout "${text}" is not a duration.`, ['Use e.g. 90s, 5m or 1h (a bare number is seconds).'])
}

/** The number the first makeCall rings: whose callee script `--press` sets. */
export function destinationOf(request: CallflowRequest): string {
  const first = request.callflow?.[0]
  if (first?.action === 'makeCall' && first.params?.destination) return String(first.params.destination)
  throw usageError('--press needs a callflow whose first action is a makeCall with a destination.')
}
