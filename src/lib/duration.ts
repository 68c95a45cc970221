/** The one reader of durations the user types: --valid-until, every --timeout, --since, --poll-interval. */

const DAY_MS = 86_400_000
const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS}
const UNIT_WORDS: Record<string, string> = {
  ms: 'ms', s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', week: 'w', weeks: 'w',
}

/**
 * Milliseconds of `90s`, `10m` (minutes), `1h30m`, `2d`, `2w`, `7 days`, `500ms`; undefined when the
 * text is not a duration (a bare number is not one: its unit would be a guess).
 */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim().toLowerCase()
  const word = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(t)
  if (word && UNIT_WORDS[word[2]]) return Number(word[1]) * UNIT_MS[UNIT_WORDS[word[2]]]
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/.test(t)) return undefined
  let ms = 0
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNIT_MS[m[2]]
  return ms
}

/**
 * A timeout (every --timeout, --live-timeout): a duration as above, or a bare number of seconds
 * (`10` is `10s`: the unit every timeout flag shares).
 */
export function parseTimeoutMs(text: string): number | undefined {
  const t = text.trim()
  return /^\d+(?:\.\d+)?$/.test(t) ? Number(t) * 1000 : parseDurationMs(t)
}
