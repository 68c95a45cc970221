import {DEFAULT_BASE_URL} from './api/defaults.js'
import type {AccountsFile} from './accounts/store.js'
import {credentialsError, usageError} from './errors.js'

/** Environment variables the tool reads, resolved once by the base command. */
export interface IvrEnv {
  IVR_ACCOUNT?: string
  IVR_API_KEY?: string
  IVR_BASE_URL?: string
  IVR_TIMEOUT?: string
  IVR_CONNECT_TIMEOUT?: string
  /** Seconds before an API request's first retry (doubling for each one after). */
  IVR_RETRY_WAIT?: string
  /** The Authorization value webhooks carry (serve, sessions tail, replay), when not given on stdin. */
  IVR_WEBHOOK_AUTH?: string
  /** Where campaigns live when shared: a postgres:// connection string (`--db` overrides it). */
  IVR_DATABASE_URL?: string
}

/** Where one setting came from, for `accounts show` and error messages. */
export type SettingSource = 'flag' | 'env' | 'stored' | 'sandbox' | 'default'

export interface Credentials {
  account: string
  apiKey: string
  baseUrl: string
  /** Where the account id came from. */
  source: SettingSource
  /** Where each setting came from: the account id, the key and the base URL each have their own. */
  sources: {account: SettingSource; apiKey: SettingSource; baseUrl: SettingSource}
}

export const HOW_TO_LOGIN = [
  'Log in with `ivr login` (stored per sub-account), or set IVR_ACCOUNT and IVR_API_KEY.',
  'No account? Add --sandbox to run against the local sandbox.',
]

export function checkBaseUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usageError(`"${value}" is not a URL.`, ['Give a base URL like https://voice.8x8.com.'])
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`The base URL must be http(s), not ${url.protocol}`)
  return value.replace(/\/+$/, '')
}

/** Flag > environment > stored default, for each of account, key and base URL. */
export function resolveCredentials(input: {flagAccount?: string; flagBaseUrl?: string; env: IvrEnv; stored: AccountsFile}): Credentials {
  const {flagAccount, flagBaseUrl, env, stored} = input
  const account = flagAccount || env.IVR_ACCOUNT || stored.default
  const source: SettingSource = flagAccount ? 'flag' : env.IVR_ACCOUNT ? 'env' : 'stored'
  if (!account) throw credentialsError('No account is set up.', HOW_TO_LOGIN, 'NO_CREDENTIALS')
  const entry = stored.accounts[account]
  const apiKey = env.IVR_API_KEY || entry?.apiKey
  if (!apiKey) {
    throw credentialsError(`No API key for sub-account "${account}".`, [
      `Store one with \`ivr login --account ${account}\`, or set IVR_API_KEY.`,
      ...(Object.keys(stored.accounts).length > 0 ? [`Stored accounts: ${Object.keys(stored.accounts).join(', ')}.`] : []),
    ], 'NO_CREDENTIALS')
  }
  const baseUrl = checkBaseUrl(flagBaseUrl || env.IVR_BASE_URL || entry?.baseUrl || DEFAULT_BASE_URL)
  const sources = {
    account: source,
    apiKey: env.IVR_API_KEY ? 'env' : 'stored',
    baseUrl: flagBaseUrl ? 'flag' : env.IVR_BASE_URL ? 'env' : entry?.baseUrl ? 'stored' : 'default',
  } as const
  return {account, apiKey, baseUrl, source, sources}
}

/** Seconds from an env var, or the default; nonsense is a usage error rather than a silent default. */
export function secondsSetting(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw usageError(`${name} must be a positive number of seconds, not "${raw}".`)
  return n
}

/**
 * The campaign database: --db, else IVR_DATABASE_URL; undefined means the local journal under the data
 * folder. `passwordInArgv` is true when the password came on the command line, where other users of the
 * machine can read it (ps): the command warns, and suggests the environment variable instead.
 */
export function databaseSetting(flag: string | undefined, env: IvrEnv): {url: string; source: 'flag' | 'env'; passwordInArgv: boolean} | undefined {
  if (flag !== undefined && flag !== '') return {url: flag, source: 'flag', passwordInArgv: /^[a-z]+:\/\/[^/@]*:[^/@]+@/i.test(flag) || /[?&]password=/i.test(flag)}
  if (env.IVR_DATABASE_URL) return {url: env.IVR_DATABASE_URL, source: 'env', passwordInArgv: false}
  return undefined
}
