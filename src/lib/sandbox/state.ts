/** What the sandbox remembers per sub-account, and its (de)serialisation for `--state FILE`. */
import {parsePhoneNumberFromString} from 'libphonenumber-js'

import type {RecordingPushConfigRequest, VirtualNumber, WebhookType} from '../api/types.js'
import {normalizeNumber, type Outcome} from './magic.js'

/** Seeded virtual numbers: the first is the documented default caller id (+6531591234, SG). */
export const DEFAULT_NUMBERS: readonly string[] = ['+6531591234', '+6531591235', '+14155550123', '+442071838750']
export const DEFAULT_SOURCE_NUMBER = DEFAULT_NUMBERS[0]
export const DEFAULT_SUBACCOUNT = 'sandbox'
export const DEFAULT_API_KEY = 'sandbox-key'
/** The platform's pattern for sub-account ids. */
export const SUBACCOUNT_ID = /^[A-Za-z0-9\-._&]{3,50}$/

export interface RegisteredWebhook {
  type: WebhookType
  url: string
  enabled: boolean
  /** Sent back as the Authorization header of each delivery; never listed. */
  authHeader?: string
}

/** What one destination (or inbound caller) number does: its key presses, one entry per capture, and its outcome. */
export interface DestinationScript {
  presses?: string[]
  outcome?: Outcome
  /** The presses serve the next call only (then the number presses nothing again); default: every call. */
  once?: boolean
}

export type ForcedExportOutcome = 'succeeded' | 'failed' | 'error' | 'empty'
export interface ExportBehaviour {
  outcome?: ForcedExportOutcome
  rowsPerFile: number
  polls: number
}
export const DEFAULT_EXPORT_BEHAVIOUR: ExportBehaviour = {rowsPerFile: 1000, polls: 2}

export interface ExportJob {
  jobId: string
  subAccountId: string
  createdAt: string
  from: string
  to: string
  limit: number
  behaviour: ExportBehaviour
  polls: number
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'empty' | 'error'
  files?: string[]
  expires?: string
}

/** The push config as the sandbox keeps it: the request body of POST /recording-push-config. */
export type RecordingConfig = RecordingPushConfigRequest

export interface SubAccountState {
  webhooks: Partial<Record<WebhookType, RegisteredWebhook>>
  numbers: VirtualNumber[]
  recordingConfig?: RecordingConfig
  scripts: Record<string, DestinationScript>
  exportBehaviour: ExportBehaviour
  exports: Record<string, ExportJob>
}

export function virtualNumber(msisdn: string, index: number, created: string): VirtualNumber {
  const e164 = `+${normalizeNumber(msisdn)}`
  const country = parsePhoneNumberFromString(e164)?.country ?? 'SG'
  const referenceId = `SBX-${country}-${String(index + 1).padStart(4, '0')}`
  return {
    msisdn: e164, countryCode: country, operationalStatus: 'Active', referenceId,
    rentalPrice: 5, incomingRate: 0.01, billingUnit: 60, billingCurrency: 'USD', numberType: 'Local',
    numberHealthCheckEnabled: true, numberHealth: {isHealthy: true, status: 'Healthy', lastCheckedTime: created},
    dateCreated: created, dateUpdated: created, uri: `/numbers/${normalizeNumber(msisdn)}`,
  }
}

export class SandboxState {
  private readonly subs = new Map<string, SubAccountState>()
  /** When set, every new sub-account starts with this VCA webhook (the built-in demo responder). */
  demoVcaUrl?: string

  constructor(private readonly numbers: readonly string[], private readonly now: () => Date) {}

  has(sub: string): boolean {
    return this.subs.has(sub)
  }

  /** The state of a sub-account, created (with the seeded numbers) on first use: every valid id exists. */
  sub(id: string): SubAccountState {
    let s = this.subs.get(id)
    if (!s) {
      const created = this.now().toISOString()
      s = {webhooks: this.demoVcaUrl ? {VCA: {type: 'VCA', url: this.demoVcaUrl, enabled: true}} : {}, numbers: this.numbers.map((n, i) => virtualNumber(n, i, created)), scripts: {}, exportBehaviour: {...DEFAULT_EXPORT_BEHAVIOUR}, exports: {}}
      this.subs.set(id, s)
    }
    return s
  }

  subAccountIds(): string[] {
    return [...this.subs.keys()]
  }

  findNumber(sub: string, number: string): VirtualNumber | undefined {
    const n = normalizeNumber(number)
    return n === '' ? undefined : this.sub(sub).numbers.find((v) => normalizeNumber(v.msisdn) === n)
  }

  script(sub: string, number: string): DestinationScript | undefined {
    return this.subs.get(sub)?.scripts[normalizeNumber(number)]
  }

  setScript(sub: string, number: string, script: DestinationScript): void {
    const s = this.sub(sub)
    if (!script.presses && !script.outcome) delete s.scripts[normalizeNumber(number)]
    else s.scripts[normalizeNumber(number)] = script
  }

  /** The presses of a number's script for one session (a `once` script is used up by it). */
  takePresses(sub: string, number: string): string[] | undefined {
    const script = this.script(sub, number)
    if (!script?.presses) return undefined
    if (script.once) this.setScript(sub, number, {outcome: script.outcome})
    // A copy: the session consumes its presses, and the script serves the next call too.
    return [...script.presses]
  }

  toJSON(): Record<string, SubAccountState> {
    return Object.fromEntries(this.subs)
  }

  load(data: unknown): void {
    if (!data || typeof data !== 'object') return
    for (const [id, raw] of Object.entries(data as Record<string, Partial<SubAccountState>>)) {
      if (!SUBACCOUNT_ID.test(id) || !raw || typeof raw !== 'object') continue
      const s = this.sub(id)
      if (raw.webhooks && typeof raw.webhooks === 'object') s.webhooks = raw.webhooks
      if (Array.isArray(raw.numbers)) s.numbers = raw.numbers
      if (raw.recordingConfig) s.recordingConfig = raw.recordingConfig
      if (raw.scripts && typeof raw.scripts === 'object') s.scripts = raw.scripts
      if (raw.exportBehaviour) s.exportBehaviour = {...DEFAULT_EXPORT_BEHAVIOUR, ...raw.exportBehaviour}
      if (raw.exports && typeof raw.exports === 'object') s.exports = raw.exports
    }
  }
}
