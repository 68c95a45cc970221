/**
 * Bar charts for a terminal: Unicode blocks in eighths where the terminal's locale is UTF-8, `#`
 * where it is not (a plain `C` or `POSIX` locale would show the blocks as garbage).
 */
export type Charset = 'unicode' | 'ascii'

/** The locale's character set, as POSIX decides it: the first of LC_ALL, LC_CTYPE, LANG that is set. */
export function charsetOf(env: {LC_ALL?: string; LC_CTYPE?: string; LANG?: string}): Charset {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || ''
  return /utf-?8/i.test(locale) ? 'unicode' : 'ascii'
}

const EIGHTHS = '▏▎▍▌▋▊▉'

/** A horizontal bar of at most `width` cells for value/max; never empty for a value above 0. */
export function bar(value: number, max: number, width: number, charset: Charset = 'unicode'): string {
  if (max <= 0 || value <= 0) return ''
  if (charset === 'ascii') return '#'.repeat(Math.max(1, Math.round((value / max) * width)))
  const eighths = Math.max(1, Math.round((value / max) * width * 8))
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? EIGHTHS[(eighths % 8) - 1] : '')
}
