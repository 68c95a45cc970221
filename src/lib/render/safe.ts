/** Control characters (C0, DEL, C1) and ANSI escape sequences, which a remote string must never smuggle into a terminal. */
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B[\]P^_][\s\S]*?(?:\u0007|\u001B\\)|\u001B./g
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g

/** A string from the network, safe to print: escapes and control characters removed, tabs and newlines kept. */
export function safeText(value: unknown): string {
  if (value === undefined || value === null) return ''
  return String(value).replace(ANSI, '').replace(CONTROL, '')
}

/** Like safeText, and folds newlines too: for one table cell or one log line. */
export function safeLine(value: unknown): string {
  return safeText(value).replace(/[\r\n\t]+/g, ' ')
}

/** A phone number with its middle hidden: +6591238965 -> +65****8965. */
export function maskNumber(value: unknown): string {
  const s = safeLine(value)
  const digits = s.replace(/\D/g, '')
  if (digits.length < 7) return s
  const plus = s.trim().startsWith('+') ? '+' : ''
  return `${plus}${digits.slice(0, 2)}****${digits.slice(-4)}`
}
