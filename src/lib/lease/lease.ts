/**
 * The lease: a crash-safe temporary webhook registration. While a local server runs (`sessions tail
 * --register`, `serve --register`, `send-callflow --menu`, a campaign), the sub-account's webhook
 * of one type points at it; when it stops, what was there before is put back.
 *
 * The lease file records the previous registration *before* anything changes, and it is created
 * exclusively (whole, or not at all when one exists), so there is one lease per account and
 * webhook type on this machine: of two servers starting at the same moment one registers and the
 * other is refused. After a crash or a kill -9 the file stays, and `ivr webhooks restore`
 * (restoreLease) repairs things.
 *
 *   const held = await acquireLease(api, {configDir, account, baseUrl, type: 'VCA', url, pid})
 *   ...serve...
 *   const result = await held.release()   // puts the previous registration back, removes the file
 */
import {promises as fs} from 'node:fs'
import path from 'node:path'

import type {VoiceApi} from '../api/client.js'
import type {Webhook, WebhookType} from '../api/types.js'
import {createExclusive} from '../file-claim.js'
import {IvrError, ExitCode, usageError} from '../errors.js'
import {writeFileAtomic} from '../fs-atomic.js'
import {processAlive} from '../process-alive.js'

/** The part of the API a lease uses (the real client, or anything that speaks the same). */
export type WebhookApi = Pick<VoiceApi, 'listWebhooks' | 'createWebhook' | 'deleteWebhook'>

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
  /** What holds it, in words (e.g. the campaign a `campaign run` runs), for messages and for sharing. */
  holder?: string
  createdAt: string
}

export interface LeaseRequest {
  /** Where lease files live (the tool's config folder). */
  configDir: string
  /** The sub-account whose webhook is borrowed. */
  account: string
  /** The API the registration is made through (recorded for `webhooks restore`). */
  baseUrl: string
  type: WebhookType
  /** The URL to point the webhook at (see reachableUrl for a server's own address). */
  url: string
  /** The Authorization value the platform is to send. */
  httpAuthHeader?: string
  /** Replace an existing registration of this type (without it: refused). */
  force?: boolean
  /** Refuse to replace a registration whose auth header could not be put back (the API never reveals it). */
  requireRestorable?: boolean
  /** The process that holds the lease (it is stale once this process is gone). */
  pid: number
  /** What holds it, in words: kept in the lease (see Lease.holder). */
  holder?: string
  /**
   * A lease whose process is gone, as read from its file, whose place this one takes (a campaign
   * runner carrying on for another that died): it keeps what that lease recorded as there before,
   * so the registration is pointed here without first being put back (no moment pointed elsewhere).
   */
  takeOver?: Lease
}

export interface RestoreResult {
  type: WebhookType
  account: string
  /** restored: the previous one is back; deleted: there was none, ours is gone; left: someone else changed it meanwhile, so it was left alone. */
  action: 'restored' | 'deleted' | 'left'
  url?: string
  warnings: string[]
}

export interface HeldLease {
  lease: Lease
  file: string
  /** What it replaced, if anything. */
  replaced?: Webhook
  /** To show the user (e.g. an auth header that cannot be restored). */
  warnings: string[]
  /** Puts the previous registration back (or removes ours) and removes the lease file. Once. */
  release(): Promise<RestoreResult>
}

export const leaseDir = (configDir: string) => path.join(configDir, 'webhook-leases')
const accountPart = (account: string) => account.replace(/[^A-Za-z0-9._&-]/g, '_')
export const leaseFileFor = (configDir: string, account: string, type: WebhookType) =>
  path.join(leaseDir(configDir), `${accountPart(account)}.${type}.json`)

/**
 * Held by a campaign run while it sets up its listener (restores stale leases, leases VCA, claims
 * the session store, leases VSS): no .json, so listLeases never reads it as a lease.
 */
export const listenerSetupLockFor = (configDir: string, account: string) =>
  path.join(leaseDir(configDir), `${accountPart(account)}.listener-setup.lock`)

export async function readLease(file: string): Promise<Lease | undefined> {
  try {
    const l = JSON.parse(await fs.readFile(file, 'utf8')) as Lease
    return l && l.version === 1 && typeof l.url === 'string' ? l : undefined
  } catch {
    return undefined
  }
}

/** Every lease on this machine, with whether its process is still running. */
export async function listLeases(configDir: string, self = process.pid): Promise<Array<{file: string; lease: Lease; holderRunning: boolean}>> {
  const names = await fs.readdir(leaseDir(configDir)).catch(() => [] as string[])
  const out = []
  for (const n of names.filter((x) => x.endsWith('.json') && !x.startsWith('.')).sort()) {
    const file = path.join(leaseDir(configDir), n)
    const lease = await readLease(file)
    if (lease) out.push({file, lease, holderRunning: lease.pid !== self && processAlive(lease.pid)})
  }
  return out
}

const findType = (hooks: Webhook[] | undefined, type: WebhookType) => (hooks ?? []).find((w) => String(w.type).toUpperCase() === type)

const LEASE_BUSY = 'LEASE_BUSY'

async function refuseHeld(file: string, opts: LeaseRequest): Promise<never> {
  const earlier = await readLease(file)
  if (earlier && processAlive(earlier.pid)) {
    throw new IvrError(`Another ${earlier.pid === opts.pid ? 'server in this process' : `process (pid ${earlier.pid}${earlier.holder ? `, ${earlier.holder}` : ''})`} holds the ${opts.type} webhook of ${opts.account} (pointed at ${earlier.url}).`, {
      code: LEASE_BUSY, exitCode: ExitCode.USAGE, suggestions: ['Stop it first (it puts the registration back on exit).'],
    })
  }
  throw new IvrError(`An earlier temporary registration of the ${opts.type} webhook of ${opts.account} was never undone (the server that made it stopped without cleaning up).`, {
    code: LEASE_BUSY, exitCode: ExitCode.USAGE, suggestions: ['Run `ivr webhooks restore` to put the previous registration back, then try again.'],
  })
}

/**
 * Points the `type` webhook at `url`, after recording what was there in the lease file. Refused
 * while another lease for the account and type exists (held, or left by a crash), and refused to
 * replace another registration without `force`.
 */
export async function acquireLease(api: WebhookApi, opts: LeaseRequest): Promise<HeldLease> {
  const file = leaseFileFor(opts.configDir, opts.account, opts.type)
  if (opts.takeOver) return takeOverLease(api, file, opts.takeOver, opts)
  if (await readLease(file)) await refuseHeld(file, opts)
  const previous = findType((await api.listWebhooks()).webhooks, opts.type) ?? null
  const warnings: string[] = []
  if (previous && previous.url !== opts.url) {
    if (!opts.force) {
      throw usageError(`The sub-account already has a ${opts.type} webhook: ${previous.url}`, [
        'Add --force to point it at this server for the duration; it is put back when the server stops.',
      ])
    }
    if (previous.httpAuthHeaderAvailable) {
      if (opts.requireRestorable) {
        throw usageError(`The ${opts.type} webhook (${previous.url}) has an auth header, which the API never reveals: replacing it for the duration, ivr could not restore the header afterwards.`, [
          `Delete it first (\`ivr webhooks delete ${opts.type}\`) and set it again afterwards, or serve on that URL yourself.`,
        ])
      }
      warnings.push(`The current ${opts.type} webhook has an auth header, which the API never reveals: on exit its URL is put back without it. Set it again afterwards with \`ivr webhooks create --type ${opts.type} --url ${previous.url} --auth-header-stdin\`.`)
    }
  }
  const lease: Lease = {version: 1, account: opts.account, baseUrl: opts.baseUrl, type: opts.type, previous, url: opts.url, pid: opts.pid, ...(opts.holder ? {holder: opts.holder} : {}), createdAt: new Date().toISOString()}
  // Exclusive: of two servers racing past the check above, one creates the lease, the other is refused here.
  if (!(await createExclusive(file, JSON.stringify(lease, null, 2) + '\n', {mode: 0o600}))) await refuseHeld(file, opts)
  try {
    const body: Parameters<WebhookApi['createWebhook']>[0] = {type: opts.type, url: opts.url, enabled: true}
    if (opts.httpAuthHeader) body.httpAuthHeader = opts.httpAuthHeader
    await api.createWebhook(body)
  } catch (error) {
    await fs.rm(file, {force: true})
    throw error
  }
  return held(api, lease, file, warnings)
}

function held(api: WebhookApi, lease: Lease, file: string, warnings: string[]): HeldLease {
  let released: Promise<RestoreResult> | undefined
  return {
    lease, file, replaced: lease.previous ?? undefined, warnings,
    release() {
      released ??= restoreLease(api, lease, file)
      return released
    },
  }
}

const sameLease = (a: Lease | undefined, b: Lease) => a !== undefined && a.pid === b.pid && a.createdAt === b.createdAt && a.url === b.url

/**
 * Takes the place of `stale` (its process gone): the lease file is rewritten to name this process
 * and URL, keeping `stale.previous`, then the webhook is pointed at `opts.url`. When the file no
 * longer holds `stale` (put back meanwhile), or the registration is no longer the stale one's
 * (someone changed it), the stale lease is undone as `webhooks restore` would and a new one
 * acquired in the ordinary way. Callers serialise takeovers among themselves (a lock).
 */
async function takeOverLease(api: WebhookApi, file: string, stale: Lease, opts: LeaseRequest): Promise<HeldLease> {
  const fresh = {...opts, takeOver: undefined}
  if (processAlive(stale.pid)) return refuseHeld(file, opts)
  if (!sameLease(await readLease(file), stale)) return acquireLease(api, fresh)
  const current = findType((await api.listWebhooks()).webhooks, opts.type)
  if (current && current.url !== stale.url) {
    await restoreLease(api, stale, file)
    return acquireLease(api, fresh)
  }
  const lease: Lease = {
    version: 1, account: opts.account, baseUrl: opts.baseUrl, type: opts.type, previous: stale.previous, url: opts.url, pid: opts.pid,
    ...(opts.holder ? {holder: opts.holder} : {}), createdAt: new Date().toISOString(),
  }
  await writeFileAtomic(file, JSON.stringify(lease, null, 2) + '\n', {mode: 0o600})
  try {
    const body: Parameters<WebhookApi['createWebhook']>[0] = {type: opts.type, url: opts.url, enabled: true}
    if (opts.httpAuthHeader) body.httpAuthHeader = opts.httpAuthHeader
    await api.createWebhook(body)
  } catch (error) {
    // The registration is still the stale lease's: keep that lease, for `webhooks restore`.
    await writeFileAtomic(file, JSON.stringify(stale, null, 2) + '\n', {mode: 0o600})
    throw error
  }
  return held(api, lease, file, [])
}

/**
 * Undoes a lease: puts the previous registration back (or deletes ours), then removes the lease
 * file. A registration someone else changed meanwhile is left alone. For a held lease use its
 * release(); this is for one left by a crash (`ivr webhooks restore`).
 */
export async function restoreLease(api: WebhookApi, lease: Lease, file: string): Promise<RestoreResult> {
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
