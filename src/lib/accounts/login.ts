import type {VoiceApi} from '../api/client.js'
import {ApiError} from '../api/errors.js'
import {credentialsError, ExitCode} from '../errors.js'
import {AccountStore, validateSubAccountId} from './store.js'
import {usageError} from '../errors.js'

export interface LoginInput {
  account: string
  apiKey: string
  baseUrl?: string
  verify: boolean
  makeDefault?: boolean
}

/**
 * Checks the key with a real call (GET speech-profiles) and only then stores it:
 * a refused key leaves the credentials file exactly as it was.
 */
export async function login(store: AccountStore, input: LoginInput, makeApi: (creds: {account: string; apiKey: string; baseUrl: string}) => Promise<VoiceApi>, defaultBaseUrl: string): Promise<{verified: boolean; isDefault: boolean; profiles?: number}> {
  const invalid = validateSubAccountId(input.account)
  if (invalid) throw usageError(invalid)
  if (!input.apiKey.trim()) throw usageError('The API key is empty.')
  let profiles: number | undefined
  if (input.verify) {
    const api = await makeApi({account: input.account, apiKey: input.apiKey, baseUrl: input.baseUrl ?? defaultBaseUrl})
    try {
      const res = await api.getSpeechProfiles()
      profiles = res.speechProfiles?.length ?? 0
    } catch (error) {
      if (error instanceof ApiError && (error.httpStatus === 401 || error.httpStatus === 403)) {
        throw credentialsError(`The API key was refused for sub-account "${input.account}" (${error.httpStatus}); nothing was stored.`, [
          'Copy the key again from the 8x8 customer portal (it belongs to one sub-account).',
          'Use --no-verify only if the API is unreachable from here.',
        ], 'AUTH_REFUSED')
      }
      if (error instanceof ApiError && error.httpStatus === 404) {
        throw credentialsError(`Sub-account "${input.account}" was not found (404); nothing was stored.`, ['Check the sub-account id in the 8x8 customer portal.'], 'ACCOUNT_NOT_FOUND')
      }
      // Not reachable from here (no network, a proxy, a wrong --base-url): the key was not judged.
      if (error instanceof ApiError && error.exitCode === ExitCode.NETWORK) {
        error.suggestions.push('To store the key without checking it (the API is unreachable from here), add --no-verify.')
      }
      throw error
    }
  }
  const data = await store.save(input.account, {apiKey: input.apiKey, ...(input.baseUrl ? {baseUrl: input.baseUrl} : {})}, {makeDefault: input.makeDefault})
  return {verified: input.verify, isDefault: data.default === input.account, profiles}
}
