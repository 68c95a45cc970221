import {promises as fs} from 'node:fs'

import {invalidInput} from './errors.js'

/** Why a file could not be read, in words. */
export function unreadableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message
}

/** The text of a file the user named; one that cannot be read is invalid input (exit 4), with what to give instead. */
export async function readInputFile(file: string, hint: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    throw invalidInput(`Cannot read ${file}: ${unreadableReason(error)}.`, [hint], 'FILE_UNREADABLE')
  }
}
