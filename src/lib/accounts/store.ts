import {promises as fs} from 'node:fs'
import path from 'node:path'

import {credentialsError, invalidInput, IvrError, ExitCode} from '../errors.js'
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

/**
 * The credentials file: one JSON document, mode 0600 in a 0700 folder, replaced atomically.
 * A file that cannot be parsed is reported with its path and never overwritten.
 */
export class AccountStore {
  readonly file: string

  constructor(configDir: string) {
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
    } catch (error: any) {
      if (error?.code === 'ENOENT') return {version: 1, accounts: {}}
      throw new IvrError(`Cannot read the credentials file ${this.file}: ${error?.message ?? error}`, {code: 'CREDENTIALS_UNREADABLE', exitCode: ExitCode.CREDENTIALS, suggestions: ['Check the file permissions.']})
    }
    let parsed: any
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (!parsed || typeof parsed !== 'object' || typeof parsed.accounts !== 'object' || parsed.accounts === null || Array.isArray(parsed.accounts)) {
      throw invalidInput(`The credentials file ${this.file} is corrupt; it was left untouched.`, [
        `Fix it by hand, or move it away (mv "${this.file}" "${this.file}.bak") and run \`ivr login\` again.`,
      ], 'CREDENTIALS_CORRUPT')
    }
    return {version: 1, default: typeof parsed.default === 'string' ? parsed.default : undefined, accounts: parsed.accounts}
  }

  private async write(data: AccountsFile): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', {mode: 0o600, dirMode: 0o700})
  }

  /** Adds or replaces an account; the first one stored becomes the default. */
  async save(id: string, account: StoredAccount, opts: {makeDefault?: boolean} = {}): Promise<AccountsFile> {
    const data = await this.read()
    data.accounts[id] = {...account, addedAt: account.addedAt ?? new Date().toISOString()}
    if (opts.makeDefault || !data.default || !data.accounts[data.default]) data.default = id
    await this.write(data)
    return data
  }

  async setDefault(id: string): Promise<void> {
    const data = await this.read()
    if (!data.accounts[id]) throw this.unknown(id, data)
    data.default = id
    await this.write(data)
  }

  async remove(id: string): Promise<AccountsFile> {
    const data = await this.read()
    if (!data.accounts[id]) throw this.unknown(id, data)
    delete data.accounts[id]
    if (data.default === id) data.default = Object.keys(data.accounts)[0]
    await this.write(data)
    return data
  }

  unknown(id: string, data: AccountsFile): IvrError {
    const known = Object.keys(data.accounts)
    return credentialsError(`No stored account "${id}".`, known.length > 0 ? [`Stored accounts: ${known.join(', ')}.`, 'Add one with `ivr login`.'] : ['Add one with `ivr login`.'], 'ACCOUNT_UNKNOWN')
  }
}
