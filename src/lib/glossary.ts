/**
 * The platform's words, for the --help of the commands that use them: a person new to 8x8 meets
 * them there first. The README's "Words you will meet" says the same at more length.
 */
const WORDS = {
  VCA: 'VCA (Voice Call Action): the webhook the platform calls during a call (a number was called, keys were pressed); its answer is the next callflow.',
  VCS: 'VCS (Voice Call Status): a webhook for each change of a call\'s state (ringing, answered, disconnected).',
  VSS: 'VSS (Voice Session Summary): the one webhook sent when a session ends: its status, calls, durations and quality.',
  MOS: 'MOS (Mean Opinion Score): a call\'s audio quality from 1 to 5; 4.3 and up excellent, under 3.1 bad.',
  SIP: 'SIP code: the phone network\'s answer to a call attempt: 200 answered, 480 no answer, 486 busy, 487 cancelled.',
  legs: 'A leg, B leg: the calls of a session; the A leg is the first (outbound: the person dialled; inbound: the caller), the B leg the one a makeCall bridges in.',
} as const

export type Word = keyof typeof WORDS

/** A "Words:" paragraph to end a command's description with. */
export function words(...terms: Word[]): string {
  return `\n\nWords: ${terms.map((t) => WORDS[t]).join(' ')}`
}
