/**
 * The campaign model: what a campaign is (its definition), who it calls (contacts), and the words
 * for where each contact stands. Shared by the journals (local file, PostgreSQL), the runner, the
 * check and the results.
 */

/** Session statuses a summary can end a call with that the retry policy can act on. */
export const RETRYABLE_STATUSES = ['BUSY', 'NO_ANSWER', 'FAILED'] as const
export type RetryableStatus = (typeof RETRYABLE_STATUSES)[number]

export interface RetryRule {
  /** Further calls after the first that ended with this status (0: none). */
  retries: number
  /** Wait before the next call, in ms. */
  delayMs: number
}
export type RetryPolicy = Partial<Record<RetryableStatus, RetryRule>>

/** A calling window in the callee's local time, minutes after midnight; end after start (same day). */
export interface CallingWindow {
  startMinute: number
  endMinute: number
  /** Days of the week it applies (0 Sunday … 6 Saturday); all when absent. */
  days?: number[]
}

export type CampaignContent =
  /** A Send Callflow document with {{placeholders}} filled from each contact's columns. */
  | {kind: 'callflow'; file: string; template: unknown}
  /** A menu file (as `send-callflow --menu`): its text, so the campaign does not depend on the file later. */
  | {kind: 'menu'; file: string; text: string}

/** Everything `campaign create` settled; stored with the campaign, never changed by a run. */
export interface CampaignDefinition {
  name: string
  createdAt: string
  /** The sub-account it was created for (runs use the same one). */
  account?: string
  contactsFile: string
  numberColumn: string
  /** The other columns, in file order: each is a {{placeholder}}. */
  columns: string[]
  content: CampaignContent
  /** Caller ids; several rotate, one per call. */
  from: string[]
  /** Calls started per second (fractional allowed). */
  rate: number
  /** Most calls live at once. */
  maxLive: number
  window?: CallingWindow
  /** The zone a number's country does not settle (no `timezone` column), IANA name. */
  defaultTimezone?: string
  retry: RetryPolicy
  /** How long after the request the platform may still start the call (validUntil), ms. */
  validForMs: number
  /** A call with no summary this long after it was created stops counting as live (outcome NO_SUMMARY). */
  liveTimeoutMs: number
  /** Per connected minute, for the plan's estimate and results (currency as given). */
  pricePerMinute?: number
  currency?: string
}

/** One contact to call, as stored at creation. */
export interface Contact {
  /** 1-based, in the order of the contacts file (skipped rows take no id). */
  id: number
  /** Its record's row number in the CSV (the header is row 1). */
  row: number
  /** E.164, normalised. */
  number: string
  /** Every other column, by header. */
  vars: Record<string, string>
  /** IANA zone (from a `timezone` column, or decided at creation). */
  timezone?: string
}

/** A row of the contacts file that will not be called, and why. */
export interface SkippedRow {
  row: number
  number: string
  reason: 'invalid' | 'duplicate' | 'do-not-call'
  /** Words for a person: "is too short for Singapore numbers", "same as row 4". */
  detail: string
}

export type CampaignStatus = 'ready' | 'running' | 'paused' | 'cancelled' | 'finished'

/**
 * Where a contact stands:
 *  pending   – to be called (now, or at `dueAt` for a retry or a closed window)
 *  dialing   – the intent to call is durable; the POST is (or may be) under way
 *  live      – the platform created the call; waiting for its summary
 *  done      – has a final outcome
 *  uncertain – a POST may or may not have created a call: never dialed again on its own
 */
export type ContactState = 'pending' | 'dialing' | 'live' | 'done' | 'uncertain'

/**
 * A contact's final outcome: a session status from its last summary (COMPLETED, BUSY, NO_ANSWER,
 * FAILED, ERROR, CANCELED…), or one of ours:
 *  REJECTED   – the platform refused the request (NOT_CREATED, 4xx): no call was made
 *  NO_SUMMARY – created, but no summary arrived within the live timeout (`campaign reconcile` may settle it)
 *  CANCELLED  – the campaign was cancelled before it was called
 */
export type Outcome = string

/** The id a request carries so that a summary (or a reconcile) finds its contact: campaign/contact/attempt. */
export function clientRequestIdFor(campaign: string, contactId: number, attempt: number): string {
  return `${campaign}/${contactId}/${attempt}`
}

/** The parts of a clientRequestId of this campaign, or undefined when it is not one. */
export function parseClientRequestId(campaign: string, id: string | undefined | null): {contactId: number; attempt: number} | undefined {
  if (!id || !id.startsWith(`${campaign}/`)) return undefined
  const m = /^(\d+)\/(\d+)$/.exec(id.slice(campaign.length + 1))
  if (!m) return undefined
  return {contactId: Number(m[1]), attempt: Number(m[2])}
}

/** Campaign names are file names and parts of ids: letters, digits, `-`, `_`, `.`, 1–64. */
export const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
