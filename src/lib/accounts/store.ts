import {promises as fs} from 'node:fs'
import path from 'node:path'

import {credentialsError, invalidInput, IvrError, ExitCode} from '../errors.js'
import {withFileLock} from '../file-claim.js'
import {writeFileAtomic} from '../fs-atomic.js'

export const SUBACCOUNT_ID_PATTERN = /^[A-Za-z0-9\-._&]{3,50}$/

export interface StoredAccount {
  apiKey: string
  /** A regional host or the local sandbox; absent means the default API. */
  baseUrl?: string
  addedAt?: string
}

export interface AccountsFile {
  version: 1
  default?: string
  accounts: Record<string, StoredAccount>
}

export function validateSubAccountId(id: string): string | undefined {
  return SUBACCOUNT_ID_PATTERN.test(id) ? undefined : `"${id}" is not a valid sub-account id: use 3 to 50 letters, digits, or - . _ &`
}

/** What is wrong with a parsed credentials file, or undefined when its shape is right. */
export function credentialsFileProblem(parsed: unknown): string | undefined {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'it is not a JSON object'
  const doc = parsed as Record<string, unknown>
  if (doc.version !== undefined && doc.version !== 1) return `version ${JSON.stringify(doc.version)} is not one this ivr reads (1)`
  if (!doc.accounts || typeof doc.accounts !== 'object' || Array.isArray(doc.accounts)) return '"accounts" is not an object'
  for (const [id, entry] of Object.entries(doc.accounts)) {
    const where = `account ${JSON.stringify(id)}`
    if (validateSubAccountId(id)) return `${where} is not a valid sub-account id`
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return `${where} is not an object`
    const a = entry as Record<string, unknown>
    if (typeof a.apiKey !== 'string' || a.apiKey.trim() === '') return `${where} has no API key string`
    if (a.baseUrl !== undefined && typeof a.baseUrl !== 'string') return `${where} has a baseUrl that is not a string`
    if (a.addedAt !== undefined && typeof a.addedAt !== 'string') return `${where} has an addedAt that is not a string`
  }
  if (doc.default !== undefined && typeof doc.default !== 'string') return '"default" is not a string'
  return undefined
}

/**
 * The credentials file: one JSON document, mode 0600 in a 0700 folder (both set again on every
 * write), replaced atomically. Every read-modify-write holds `accounts.json.lock`, so concurrent
 * logins all keep their account. A file of the wrong shape is reported with its path and what is
 * wrong, and never overwritten.
 */
export class AccountStore {
  readonly file: string
  readonly dir: string

  constructor(configDir: string) {
    this.dir = configDir
    this.file = path.join(configDir, 'accounts.json')
  }

  /** Whether others can read the file (a warning for the user, not an error). */
  async isReadableByOthers(): Promise<boolean> {
    try {
      const st = await fs.stat(this.file)
      return (st.mode & 0o077) !== 0
    } catch {
      return false
    }
  }

  async read(): Promise<AccountsFile> {
    let text: string
    try {
      text = await fs.readFile(this.file, 'utf8')
    } catch (error) {
      const e = error as NodeJS.ErrnoException
      if (e.code === 'ENOENT') return {version: 1, accounts: {}}
      throw new IvrError(`Cannot read the credentials file ${this.file}: ${e.message}`, {code: 'CREDENTIALS_UNREADABLE', exitCode: ExitCode.CREDENTIALS, suggestions: ['Check the file permissions.']})
    }
    let parsed: unknown
    let problem: string | undefined
    try {
      parsed = JSON.parse(text)
      problem = credentialsFileProblem(parsed)
    } catch {
      problem = 'it is not valid JSON'
    }
    if (problem) {
      throw invalidInput(`The credentials file ${this.file} is corrupt (${problem}); it was left untouched.`, [
        `Fix it by hand, or move it away (mv "${this.file}" "${this.file}.bak") and run \`ivr login\` again.`,
      ], 'CREDENTIALS_CORRUPT')
    }
    const doc = parsed as AccountsFile
    return {version: 1, default: doc.default, accounts: doc.accounts}
  }

  /** Read, change, write, under the file's lock; `change` may throw to leave the file as it was. */
  private async update<T>(change: (data: AccountsFile) => T): Promise<T> {
    return withFileLock(`${this.file}.lock`, async () => {
      const data = await this.read()
      const result = change(data)
      await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', {mode: 0o600, dirMode: 0o700})
      // mkdir leaves an existing folder's mode alone: a 0755 folder from elsewhere is closed here.
      await fs.chmod(this.dir, 0o700)
      return result
    }, {pid: process.pid})
  }

  /** Adds or replaces an account; the first one stored becomes the default. */
  async save(id: string, account: StoredAccount, opts: {makeDefault?: boolean} = {}): Promise<AccountsFile> {
    return this.update((data) => {
      data.accounts[id] = {...account, addedAt: account.addedAt ?? new Date().toISOString()}
      if (opts.makeDefault || !data.default || !data.accounts[data.default]) data.default = id
      return data
    })
  }

  async setDefault(id: string): Promise<void> {
    await this.update((data) => {
      if (!data.accounts[id]) throw this.unknown(id, data)
      data.default = id
    })
  }

  async remove(id: string): Promise<AccountsFile> {
    return this.update((data) => {
      if (!data.accounts[id]) throw this.unknown(id, data)
      delete data.accounts[id]
      if (data.default === id) data.default = Object.keys(data.accounts)[0]
      return data
    })
  }

  unknown(id: string, data: AccountsFile): IvrError {
    const known = Object.keys(data.accounts)
    return credentialsError(`No stored account "${id}".`, known.length > 0 ? [`Stored accounts: ${known.join(', ')}.`, 'Add one with `ivr login`.'] : ['Add one with `ivr login`.'], 'ACCOUNT_UNKNOWN')
  }
}
