// How deeply JSON nests, checked before parsing it: the servers' bodies (http/server.ts) and the session
// store's lines (sessions/store.ts), which must not load node:http to read a store.

/** Deeper nesting than this is refused: no real webhook comes close, and deep input breaks recursive readers. */
export const MAX_JSON_DEPTH = 64

/**
 * How deeply JSON text nests its arrays and objects (brackets inside strings do not count); stops
 * counting past `limit`. A byte scan: cheap next to JSON.parse.
 */
export function jsonDepth(text: Buffer | string, limit = Number.MAX_SAFE_INTEGER): number {
  const buf = typeof text === 'string' ? Buffer.from(text) : text
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]
    if (inString) {
      if (b === 92) i++ // backslash: skip the escaped character
      else if (b === 34) inString = false
    } else if (b === 34) inString = true
    else if (b === 123 || b === 91) {
      if (++depth > max && (max = depth) > limit) return max
    } else if (b === 125 || b === 93) depth--
  }
  return max
}
