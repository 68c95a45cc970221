/**
 * What the validator can learn from the account: its voice profiles (-1002) and whether a VCA
 * webhook is registered (-1004). From the day-long profile cache alone, or asking the API.
 */
import type {VoiceApi} from '../api/client.js'
import {getProfiles, readCachedProfiles} from '../profiles.js'
import type {SpeechProfile} from '../api/types.js'

export interface AccountFacts {
  profiles?: SpeechProfile[]
  knownProfiles?: ReadonlySet<string>
  vcaWebhookRegistered?: boolean
}

function facts(profiles: SpeechProfile[] | undefined, vcaWebhookRegistered?: boolean): AccountFacts {
  const out: AccountFacts = {}
  if (profiles && profiles.length > 0) {
    out.profiles = profiles
    out.knownProfiles = new Set(profiles.map((p) => p.speechProfileCode))
  }
  if (vcaWebhookRegistered !== undefined) out.vcaWebhookRegistered = vcaWebhookRegistered
  return out
}

/** Offline: the cached profile list if there is a fresh one; the webhook stays unknown. */
export async function cachedAccountFacts(profileCacheFile: string, now?: Date): Promise<AccountFacts> {
  const cached = await readCachedProfiles(profileCacheFile, {now})
  return facts(cached?.profiles)
}

/** Online: profiles (cached for a day, else fetched) and the registered webhooks. */
export async function onlineAccountFacts(api: VoiceApi, profileCacheFile: string, now?: Date): Promise<AccountFacts> {
  const [profiles, hooks] = await Promise.all([getProfiles(api, profileCacheFile, {now}), api.listWebhooks()])
  const vca = (hooks.webhooks ?? []).some((w) => String(w.type).toUpperCase() === 'VCA' && w.enabled !== false)
  return facts(profiles.profiles, vca)
}
