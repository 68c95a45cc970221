import {fstatSync} from 'node:fs'
import type {Readable} from 'node:stream'

import {usageError} from './errors.js'

/** Reads a whole stream as text (stdin for `--api-key-stdin`, `-` files), refusing a TTY that would hang waiting. */
export async function readAllText(stream: Readable & {isTTY?: boolean}, what: string, maxBytes = 10 * 1024 * 1024): Promise<string> {
  if (stream.isTTY) throw usageError(`${what} is read from standard input, and nothing was piped in.`, [`Pipe it in, e.g. \`printf '%s' "$VALUE" | ivr ...\`.`])
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += b.length
    if (size > maxBytes) throw usageError(`${what} on standard input is larger than ${maxBytes} bytes.`)
    chunks.push(b)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A secret read from stdin: one line, surrounding whitespace removed, never empty. */
export async function readSecretFromStdin(stream: Readable & {isTTY?: boolean}, what: string): Promise<string> {
  const text = (await readAllText(stream, what, 64 * 1024)).replace(/\r?\n$/, '').trim()
  if (!text) throw usageError(`${what} on standard input is empty.`)
  if (/[\r\n]/.test(text)) throw usageError(`${what} on standard input has more than one line.`)
  return text
}

/** Whether lines can come on this input: a terminal, a pipe, a file or a socket; not /dev/null or a closed descriptor. */
export function inputCanSupplyLines(stream: {isTTY?: boolean; fd?: number}): boolean {
  if (stream.isTTY) return true
  try {
    const st = fstatSync(stream.fd ?? 0)
    return st.isFIFO() || st.isFile() || st.isSocket()
  } catch {
    return false
  }
}
