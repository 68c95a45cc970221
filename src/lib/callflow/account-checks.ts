/**
 * What the validator can learn from the account: its voice profiles (-1002), whether a VCA
 * webhook is registered (-1004) and its virtual numbers (-1014). From the day-long profile cache
 * alone, or asking the API.
 */
import type {VoiceApi} from '../api/client.js'
import {getProfiles, profileCacheFile, readCachedProfiles} from '../profiles.js'
import type {SpeechProfile} from '../api/types.js'

export interface AccountFacts {
  profiles?: SpeechProfile[]
  knownProfiles?: ReadonlySet<string>
  vcaWebhookRegistered?: boolean
  accountNumbers?: ReadonlySet<string>
}

function facts(profiles: SpeechProfile[] | undefined, vcaWebhookRegistered?: boolean, numbers?: string[]): AccountFacts {
  const out: AccountFacts = {}
  if (profiles && profiles.length > 0) {
    out.profiles = profiles
    out.knownProfiles = new Set(profiles.map((p) => p.speechProfileCode))
  }
  if (vcaWebhookRegistered !== undefined) out.vcaWebhookRegistered = vcaWebhookRegistered
  if (numbers && numbers.length > 0) out.accountNumbers = new Set(numbers.map((n) => n.replace(/\D/g, '')))
  return out
}

/** Offline: the cached profile list if there is a fresh one; the webhook stays unknown. */
export async function cachedAccountFacts(profileCacheFile: string, now?: Date): Promise<AccountFacts> {
  const cached = await readCachedProfiles(profileCacheFile, {now})
  return facts(cached?.profiles)
}

/** Online: profiles (cached for a day, else fetched), the registered webhooks, and the virtual numbers when the key may list them. */
export async function onlineAccountFacts(api: VoiceApi, profileCacheFile: string, now?: Date): Promise<AccountFacts> {
  const [profiles, hooks, numbers] = await Promise.all([
    getProfiles(api, profileCacheFile, {now}),
    api.listWebhooks(),
    api.listNumbers().then((r) => (r.numbers ?? []).map((n) => n.msisdn), () => undefined),
  ])
  const vca = (hooks.webhooks ?? []).some((w) => String(w.type).toUpperCase() === 'VCA' && w.enabled !== false)
  return facts(profiles.profiles, vca, numbers)
}

/**
 * The facts of the account in force, for the checks: `required` asks the account (a failure is the
 * caller's error); `preferred` asks it and falls back to the cache; `cache` reads the cache only.
 * Undefined when no account is set up (or, unless required, nothing could be learnt).
 */
export async function accountFactsFor(
  account: {credentials(): Promise<{account: string; baseUrl: string}>; api(): Promise<VoiceApi>; cacheDir: string},
  mode: 'required' | 'preferred' | 'cache',
): Promise<AccountFacts | undefined> {
  const cacheFileOf = (creds: {account: string; baseUrl: string}) => profileCacheFile(account.cacheDir, creds.account, creds.baseUrl)
  if (mode === 'required') {
    const api = await account.api()
    return onlineAccountFacts(api, cacheFileOf(await account.credentials()))
  }
  try {
    const cacheFile = cacheFileOf(await account.credentials())
    if (mode === 'preferred') {
      try {
        return await onlineAccountFacts(await account.api(), cacheFile)
      } catch {
        // Offline, or the key cannot list profiles: the cache, if any.
      }
    }
    return await cachedAccountFacts(cacheFile)
  } catch {
    return undefined
  }
}
