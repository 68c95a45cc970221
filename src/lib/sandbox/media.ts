/**
 * What the platform's file download for a playFile would find, as far as this machine can know:
 * a URL on this machine is fetched and checked (reachable, at most 5 MB, mp3 or wav); any other URL
 * is judged by its name alone (an extension other than .mp3/.wav fails). Results are cached for an
 * hour by URL, as the platform caches files.
 */
import {LIMITS} from '../callflow/types.js'
import {isLoopbackHost} from '../http/address.js'

export type FileVerdict = {ok: true; fetched: boolean} | {ok: false; reason: string}

const CACHE_MS = 3_600_000

function looksLikeAudio(head: Buffer): 'mp3' | 'wav' | undefined {
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE') return 'wav'
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'ID3') return 'mp3'
  // An MPEG audio frame sync: 11 bits set.
  if (head.length >= 2 && head[0] === 0xFF && (head[1] & 0xE0) === 0xE0) return 'mp3'
  return undefined
}

async function fetchAndCheck(url: URL, timeoutMs: number): Promise<FileVerdict> {
  let res: Response
  try {
    res = await fetch(url, {signal: AbortSignal.timeout(timeoutMs), redirect: 'follow'})
  } catch (error) {
    return {ok: false, reason: `could not be downloaded (${(error as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (error as Error).message})`}
  }
  if (res.status !== 200) {
    await res.body?.cancel()
    return {ok: false, reason: `could not be downloaded (HTTP ${res.status})`}
  }
  const declared = Number(res.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > LIMITS.playFileBytes) {
    await res.body?.cancel()
    return {ok: false, reason: `is ${declared} bytes, over the 5 MB limit`}
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).length
    if (size > LIMITS.playFileBytes) return {ok: false, reason: 'is over the 5 MB limit'}
    chunks.push(Buffer.from(chunk as Uint8Array))
  }
  if (!looksLikeAudio(Buffer.concat(chunks).subarray(0, 16))) return {ok: false, reason: 'is not an mp3 or wav file'}
  return {ok: true, fetched: true}
}

export class PlayFileChecker {
  private readonly cache = new Map<string, {verdict: FileVerdict; at: number}>()
  constructor(private readonly now: () => number, private readonly timeoutMs = 5000) {}

  async check(fileUrl: string): Promise<FileVerdict> {
    const hit = this.cache.get(fileUrl)
    if (hit && this.now() - hit.at < CACHE_MS) return hit.verdict
    const verdict = await this.judge(fileUrl)
    this.cache.set(fileUrl, {verdict, at: this.now()})
    return verdict
  }

  private async judge(fileUrl: string): Promise<FileVerdict> {
    let url: URL
    try {
      url = new URL(fileUrl)
    } catch {
      return {ok: false, reason: 'is not a URL'}
    }
    if (isLoopbackHost(url.hostname)) return fetchAndCheck(url, this.timeoutMs)
    const name = url.pathname.toLowerCase()
    const ext = /\.[a-z0-9]{1,5}$/.exec(name)?.[0]
    if (ext && !(LIMITS.playFileExtensions as readonly string[]).includes(ext)) return {ok: false, reason: `is a ${ext} file; the platform plays mp3 and wav only`}
    return {ok: true, fetched: false}
  }
}
