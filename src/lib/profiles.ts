import {promises as fs} from 'node:fs'
import path from 'node:path'

import type {VoiceApi} from './api/client.js'
import type {SpeechProfile} from './api/types.js'
import {writeFileAtomic} from './fs-atomic.js'

/** Voice profiles are cached per account for a day: the callflow validator checks voices offline. */
export const PROFILE_CACHE_TTL_MS = 24 * 60 * 60 * 1000

interface CacheFile {
  fetchedAt: string
  baseUrl: string
  profiles: SpeechProfile[]
}

export interface CachedProfiles {
  profiles: SpeechProfile[]
  fetchedAt: Date
  fromCache: boolean
}

export function profileCacheFile(cacheDir: string, account: string, baseUrl: string): string {
  // The base URL is part of the key: the sandbox and the real API know different voices.
  const host = new URL(baseUrl).host.replace(/[^A-Za-z0-9.-]/g, '_')
  return path.join(cacheDir, 'profiles', `${account.replace(/[^A-Za-z0-9._-]/g, '_')}@${host}.json`)
}

/** The cached list if fresh (or if `allowStale`), without asking the network. */
export async function readCachedProfiles(file: string, opts: {now?: Date; allowStale?: boolean} = {}): Promise<CachedProfiles | undefined> {
  try {
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as CacheFile
    if (!Array.isArray(data.profiles)) return undefined
    const fetchedAt = new Date(data.fetchedAt)
    const age = (opts.now ?? new Date()).getTime() - fetchedAt.getTime()
    if (!opts.allowStale && !(age >= 0 && age < PROFILE_CACHE_TTL_MS)) return undefined
    return {profiles: data.profiles, fetchedAt, fromCache: true}
  } catch {
    return undefined
  }
}

/** The profile list: from the cache when fresh, otherwise from the API (and cached). */
export async function getProfiles(api: VoiceApi, file: string, opts: {refresh?: boolean; now?: Date} = {}): Promise<CachedProfiles> {
  if (!opts.refresh) {
    const cached = await readCachedProfiles(file, {now: opts.now})
    if (cached) return cached
  }
  const res = await api.getSpeechProfiles()
  const profiles = Array.isArray(res.speechProfiles) ? res.speechProfiles : []
  const fetchedAt = opts.now ?? new Date()
  const data: CacheFile = {fetchedAt: fetchedAt.toISOString(), baseUrl: api.baseUrl, profiles}
  await writeFileAtomic(file, JSON.stringify(data), {mode: 0o644, dirMode: 0o700})
  return {profiles, fetchedAt, fromCache: false}
}

export function filterProfiles(profiles: SpeechProfile[], opts: {locale?: string; gender?: string}): SpeechProfile[] {
  const locale = opts.locale?.toLowerCase()
  const gender = opts.gender?.toUpperCase()
  return profiles.filter((p) =>
    (!locale || String(p.localeCode ?? '').toLowerCase().startsWith(locale) || String(p.speechProfileCode ?? '').toLowerCase().startsWith(locale)) &&
    (!gender || String(p.gender ?? '').toUpperCase().startsWith(gender)))
}
