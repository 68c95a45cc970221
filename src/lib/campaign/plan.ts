/**
 * The plan `campaign create` and `campaign check` print before anything is dialed: how many
 * contacts, how many skipped and why, how long the dialing takes at the rate inside the window, and
 * what it may cost. Estimates state their assumptions.
 */
import type {CampaignOptions} from './definition.js'
import type {CallingWindow, Contact, SkippedRow} from './model.js'
import {formatWindow, openMinutesPerWeek, windowState, zonesFor} from './window.js'

/** What a call is assumed to last, connected, for the estimates (no summary has come yet). */
export const ASSUMED_CALL_SECONDS = 45

export interface Plan {
  contacts: number
  skipped: Record<SkippedRow['reason'], number>
  rate: number
  maxLive: number
  window?: string
  /** Countries with several zones and no timezone column: called only where the window is open in all of them. */
  multiZone: Array<{country: string; contacts: number; zones: number; openHoursPerDay: number}>
  /** Seconds of dialing at the rate and live limit, first calls only (retries add to it). */
  dialingSeconds: number
  /** Hours a day the window is open, for most contacts (24 without a window). */
  openHoursPerDay: number
  /** Days from the start to the last first call, counting the window's closed hours. */
  calendarDays: number
  assumedCallSeconds: number
  cost?: {perMinute: number; currency?: string; estimate: number}
}

export class PlanTally {
  contacts = 0
  readonly skips: Record<SkippedRow['reason'], number> = {invalid: 0, duplicate: 0, 'do-not-call': 0}
  /** Contacts by the zones they are called in (joined), for the open hours. */
  private readonly byZones = new Map<string, {zones: string[]; count: number; country?: string; openMinutes?: number}>()
  readonly windowText: string

  constructor(private readonly window: CallingWindow | undefined, private readonly defaultTimezone: string | undefined, private readonly now: number) {
    this.windowText = window ? formatWindow(window) : 'always'
  }

  skipped(reason: SkippedRow['reason']): void {
    this.skips[reason]++
  }

  /** Counts a contact; 'never' when its window never opens (no overlap of its country's zones). */
  contact(contact: Omit<Contact, 'id'>, country: string | undefined): string[] | 'never' {
    this.contacts++
    const zones = zonesFor(contact, country, this.defaultTimezone)
    const key = zones.join(',')
    let entry = this.byZones.get(key)
    if (!entry) {
      entry = {zones, count: 0, ...(contact.timezone ? {} : {country})}
      if (this.window) {
        const state = windowState(this.window, zones, this.now)
        entry.openMinutes = !state.open && state.opensAt === undefined ? 0 : openMinutesPerWeek(this.window, zones, this.now)
      }
      this.byZones.set(key, entry)
    }
    if (entry.openMinutes === 0) return 'never'
    entry.count++
    return zones
  }

  /** Takes back the last contact counted (it was skipped after all). */
  unContact(): void {
    this.contacts--
  }

  zoneText(contact: Omit<Contact, 'id'>, country: string | undefined): string {
    const zones = zonesFor(contact, country, this.defaultTimezone)
    return zones.length === 1 ? zones[0] : `${country ?? 'its country'} spans ${zones.length} zones with no common hours in it`
  }

  groups() {
    return [...this.byZones.values()]
  }
}

export function makePlan(t: PlanTally, opts: Pick<CampaignOptions, 'rate' | 'maxLive' | 'window' | 'pricePerMinute' | 'currency'>): Plan {
  const n = t.contacts
  const dialingSeconds = Math.ceil(Math.max(n / opts.rate, (n * ASSUMED_CALL_SECONDS) / opts.maxLive))
  const groups = t.groups().filter((g) => g.count > 0)
  const main = groups.sort((a, b) => b.count - a.count)[0]
  const openHoursPerDay = opts.window && main?.openMinutes !== undefined ? Math.round((main.openMinutes / 7 / 60) * 10) / 10 : 24
  const calendarDays = openHoursPerDay > 0 ? Math.round((dialingSeconds / 3600 / openHoursPerDay) * 10) / 10 : 0
  const multiZone = opts.window
    ? groups.filter((g) => g.zones.length > 1 && g.country).map((g) => ({country: g.country!, contacts: g.count, zones: g.zones.length, openHoursPerDay: Math.round(((g.openMinutes ?? 0) / 7 / 60) * 10) / 10}))
    : []
  return {
    contacts: n, skipped: {...t.skips}, rate: opts.rate, maxLive: opts.maxLive,
    ...(opts.window ? {window: t.windowText} : {}),
    multiZone, dialingSeconds, openHoursPerDay, calendarDays, assumedCallSeconds: ASSUMED_CALL_SECONDS,
    ...(opts.pricePerMinute === undefined ? {} : {
      cost: {perMinute: opts.pricePerMinute, ...(opts.currency ? {currency: opts.currency} : {}), estimate: Math.round(n * Math.ceil(ASSUMED_CALL_SECONDS / 60) * opts.pricePerMinute * 100) / 100},
    }),
  }
}
