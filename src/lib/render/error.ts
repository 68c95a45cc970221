import type {IvrError} from '../errors.js'
import type {Colors} from './colors.js'

/** The JSON error envelope (`--json`): the same shape for every failure, unknown commands included. */
export const errorEnvelope = (e: IvrError): string =>
  JSON.stringify({error: {code: e.code, message: e.message, exitCode: e.exitCode, suggestions: e.suggestions}}, null, 2) + '\n'

/** An error for people, on stderr: the message, then what to do about it. */
export function errorText(e: IvrError, c: Colors): string {
  const lines = [`${c.red('Error:')} ${e.message}`]
  for (const s of e.suggestions) lines.push(`  ${c.dim('→')} ${s}`)
  return lines.join('\n') + '\n'
}
