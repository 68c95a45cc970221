import {createHash, timingSafeEqual} from 'node:crypto'

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/**
 * Whether a secret someone sent (an auth header, an API key) is the expected one, compared in
 * constant time: hashing both first makes the lengths equal, so neither the value nor its length
 * can be guessed byte by byte from the timing. Nothing sent never matches.
 */
export function sameSecret(given: string | undefined, expected: string): boolean {
  return timingSafeEqual(digest(given ?? ''), digest(expected)) && given !== undefined
}
