import type {VoiceApi} from '../api/client.js'
import {WEBHOOK_TYPES, type Webhook, type WebhookType} from '../api/types.js'
import {usageError} from '../errors.js'
import {isLoopbackHost} from '../http/address.js'

export function parseWebhookType(value: string): WebhookType {
  const t = value.toUpperCase()
  if (!(WEBHOOK_TYPES as readonly string[]).includes(t)) throw usageError(`"${value}" is not a webhook type.`, [`Use one of ${WEBHOOK_TYPES.join(', ')}.`])
  return t as WebhookType
}

/**
 * The type a command was given as --type (as `webhooks create` takes it) or, kept for scripts written
 * before --type, as its first argument: one of them, the same if both.
 */
export function chosenWebhookType(flag: string | undefined, arg: string | undefined): WebhookType {
  if (flag === undefined && arg === undefined) throw usageError('Which webhook? Give its type with --type.', [`Use one of ${WEBHOOK_TYPES.join(', ')}, e.g. --type VCA.`])
  const fromFlag = flag === undefined ? undefined : parseWebhookType(flag)
  const fromArg = arg === undefined ? undefined : parseWebhookType(arg)
  if (fromFlag && fromArg && fromFlag !== fromArg) throw usageError(`Two webhook types given: --type ${fromFlag} and ${fromArg}.`, ['Give one, with --type.'])
  return (fromFlag ?? fromArg)!
}

export interface UrlCheck {
  url: string
  warnings: string[]
}

/** A webhook URL must be absolute http(s); plain http gets a warning (auth headers would travel in clear). */
export function checkWebhookUrl(value: string, opts: {sandbox?: boolean} = {}): UrlCheck {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usageError(`"${value}" is not an absolute URL.`, ['Give the full URL, e.g. https://example.com/vca.'])
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`A webhook URL must be http or https, not ${url.protocol.replace(':', '')}.`)
  const warnings: string[] = []
  const loopback = isLoopbackHost(url.hostname)
  if (url.protocol === 'http:' && !loopback) warnings.push('The URL is plain http: payloads (and any auth header) travel unencrypted. Prefer https.')
  // The sandbox runs on this machine: a loopback URL is what it can reach, nothing to warn about.
  if (loopback && !opts.sandbox) warnings.push(`${url.hostname} is this machine: the real platform cannot reach it (the sandbox can). Use a public URL or a tunnel for a real account.`)
  return {url: value, warnings}
}

/** Registers a webhook and says which registration it replaced (the platform keeps one per type). */
export async function createWebhook(api: VoiceApi, req: {type: WebhookType; url: string; httpAuthHeader?: string; enabled: boolean}): Promise<{webhooks: Webhook[]; replaced?: Webhook}> {
  const before = await api.listWebhooks()
  const replaced = (before.webhooks ?? []).find((w) => String(w.type).toUpperCase() === req.type)
  const body: Parameters<VoiceApi['createWebhook']>[0] = {type: req.type, url: req.url, enabled: req.enabled}
  if (req.httpAuthHeader) body.httpAuthHeader = req.httpAuthHeader
  const res = await api.createWebhook(body)
  return {webhooks: res.webhooks ?? [], replaced}
}
