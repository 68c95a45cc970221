/**
 * The guarded temporary registration behind `sessions tail --register`: the sub-account's webhook
 * is pointed at the receiver for the duration, and what was there before is put back on exit. The
 * previous registration is written to a lease file *before* anything changes, so that
 * `ivr webhooks restore` can repair things after a crash or a kill -9.
 */
import {promises as fs} from 'node:fs'
import path from 'node:path'

import type {VoiceApi} from '../api/client.js'
import type {Webhook, WebhookType} from '../api/types.js'
import {usageError} from '../errors.js'
import {writeFileAtomic} from '../fs-atomic.js'
import {processAlive} from '../process-alive.js'

export interface Lease {
  version: 1
  account: string
  baseUrl: string
  type: WebhookType
  /** What was registered before (null: nothing). An auth header is never readable back from the API. */
  previous: Webhook | null
  /** The URL we registered. */
  url: string
  pid: number
  createdAt: string
}

export const leaseDir = (configDir: string) => path.join(configDir, 'webhook-leases')
export const leaseFileFor = (configDir: string, account: string, type: WebhookType) =>
  path.join(leaseDir(configDir), `${account.replace(/[^A-Za-z0-9._&-]/g, '_')}.${type}.json`)


export async function readLease(file: string): Promise<Lease | undefined> {
  try {
    const l = JSON.parse(await fs.readFile(file, 'utf8')) as Lease
    return l && l.version === 1 && typeof l.url === 'string' ? l : undefined
  } catch {
    return undefined
  }
}

/** Every lease on this machine, with whether its process is still running. */
export async function listLeases(configDir: string): Promise<Array<{file: string; lease: Lease; holderRunning: boolean}>> {
  const names = await fs.readdir(leaseDir(configDir)).catch(() => [] as string[])
  const out = []
  for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
    const file = path.join(leaseDir(configDir), n)
    const lease = await readLease(file)
    if (lease) out.push({file, lease, holderRunning: lease.pid !== process.pid && processAlive(lease.pid)})
  }
  return out
}

const findType = (hooks: Webhook[] | undefined, type: WebhookType) => (hooks ?? []).find((w) => String(w.type).toUpperCase() === type)

export interface Registered {
  lease: Lease
  file: string
  /** What it replaced, if anything. */
  replaced?: Webhook
  warnings: string[]
}

/**
 * Points the `type` webhook at `url`, after recording what was there in a lease file. Refuses to
 * replace another registration without `force`, and refuses while an earlier lease is unresolved.
 */
export async function registerTemporarily(api: VoiceApi, opts: {
  configDir: string; account: string; baseUrl: string; type: WebhookType; url: string; httpAuthHeader?: string; force?: boolean; pid: number
}): Promise<Registered> {
  const file = leaseFileFor(opts.configDir, opts.account, opts.type)
  const earlier = await readLease(file)
  if (earlier) {
    if (earlier.pid !== opts.pid && processAlive(earlier.pid)) {
      throw usageError(`Another receiver (pid ${earlier.pid}) holds the ${opts.type} webhook of ${opts.account}.`, ['Stop it first (it restores the registration on exit).'])
    }
    throw usageError(`An earlier temporary registration of the ${opts.type} webhook of ${opts.account} was never undone (the receiver stopped without cleaning up).`, [
      'Run `ivr webhooks restore` to put the previous registration back, then try again.',
    ])
  }
  const before = await api.listWebhooks()
  const previous = findType(before.webhooks, opts.type) ?? null
  const warnings: string[] = []
  if (previous && previous.url !== opts.url) {
    if (!opts.force) {
      throw usageError(`The sub-account already has a ${opts.type} webhook: ${previous.url}`, [
        'Add --force to point it at this receiver for the duration; it is put back when the receiver stops.',
      ])
    }
    if (previous.httpAuthHeaderAvailable) {
      warnings.push(`The current ${opts.type} webhook has an auth header, which the API never reveals: on exit its URL is put back without it. Set it again afterwards with \`ivr webhooks create --type ${opts.type} --url ${previous.url} --auth-header-stdin\`.`)
    }
  }
  const lease: Lease = {version: 1, account: opts.account, baseUrl: opts.baseUrl, type: opts.type, previous, url: opts.url, pid: opts.pid, createdAt: new Date().toISOString()}
  await writeFileAtomic(file, JSON.stringify(lease, null, 2) + '\n', {mode: 0o600})
  try {
    const body: Parameters<VoiceApi['createWebhook']>[0] = {type: opts.type, url: opts.url, enabled: true}
    if (opts.httpAuthHeader) body.httpAuthHeader = opts.httpAuthHeader
    await api.createWebhook(body)
  } catch (error) {
    await fs.rm(file, {force: true})
    throw error
  }
  return {lease, file, replaced: previous ?? undefined, warnings}
}

export interface RestoreResult {
  type: WebhookType
  account: string
  /** restored: the previous one is back; deleted: there was none, ours is gone; left: someone else changed it meanwhile, so it was left alone. */
  action: 'restored' | 'deleted' | 'left'
  url?: string
  warnings: string[]
}

/** Undoes a lease: puts the previous registration back (or deletes ours), then removes the lease file. */
export async function restoreLease(api: VoiceApi, lease: Lease, file: string): Promise<RestoreResult> {
  const current = findType((await api.listWebhooks()).webhooks, lease.type)
  const warnings: string[] = []
  let result: RestoreResult
  if (current && current.url !== lease.url) {
    result = {type: lease.type, account: lease.account, action: 'left', url: current.url, warnings: [`The ${lease.type} webhook was changed by someone else meanwhile (now ${current.url}); left it as it is.`]}
  } else if (lease.previous) {
    await api.createWebhook({type: lease.type, url: lease.previous.url, enabled: lease.previous.enabled !== false})
    if (lease.previous.httpAuthHeaderAvailable) warnings.push(`The restored ${lease.type} webhook had an auth header, which could not be restored; set it with \`ivr webhooks create --type ${lease.type} --url ${lease.previous.url} --auth-header-stdin\`.`)
    result = {type: lease.type, account: lease.account, action: 'restored', url: lease.previous.url, warnings}
  } else {
    if (current) await api.deleteWebhook(lease.type)
    result = {type: lease.type, account: lease.account, action: 'deleted', warnings}
  }
  await fs.rm(file, {force: true})
  return result
}
