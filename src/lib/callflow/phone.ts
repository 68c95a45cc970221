import {AsYouType, Metadata, parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode} from 'libphonenumber-js'

/** What the validator needs to know about one phone number of a makeCall. */
export interface NumberCheck {
  /** E.164 shape: digits with an optional leading +, 7 to 15 of them, a known calling code, no spaces. */
  ok: boolean
  /** Valid E.164 but implausible for its country (length, or no number range): worth a warning, not a refusal. */
  doubtful?: boolean
  /** ISO 3166 region (SG, US...) when the calling code names one. */
  country?: string
  /** The calling code (65, 1...), when one could be read. */
  callingCode?: string
  /** Why not, in words. */
  reason?: string
  /** The number as the platform wants it, when it can be had by removing punctuation. */
  suggestion?: string
}

const E164 = /^\+?[1-9]\d{6,14}$/

/** The E.164 shape alone: 7 to 15 digits, the first not 0, an optional leading + (no spaces, no punctuation). */
export function isE164Shape(text: string): boolean {
  return E164.test(text)
}
let regionNames: Intl.DisplayNames | undefined
// Not in the published typings, but part of the class: the countries of a calling code, main one first.
let metadata: (Metadata & {getCountryCodesForCallingCode(code: string): string[] | undefined}) | undefined

function mainCountry(callingCode: string): CountryCode | undefined {
  metadata ??= new Metadata() as NonNullable<typeof metadata>
  return metadata.getCountryCodesForCallingCode(callingCode)?.[0] as CountryCode | undefined
}

export function countryName(region: string | undefined): string | undefined {
  if (!region) return undefined
  try {
    regionNames ??= new Intl.DisplayNames(['en'], {type: 'region'})
    return regionNames.of(region) ?? region
  } catch {
    return region
  }
}

function describe(check: NumberCheck): string {
  // The name is looked up only for a message: Intl.DisplayNames takes longer to load than the check.
  const name = countryName(check.country)
  if (name) return `${name} numbers (+${check.callingCode ?? ''})`.replace(' (+)', '')
  return check.callingCode ? `+${check.callingCode} numbers` : 'a phone number'
}

// Callflows repeat the same few numbers (one caller id, a list of customers): memoise, bounded.
const cache = new Map<string, NumberCheck>()
const CACHE_MAX = 5000

/** Checks a number in E.164 form (the + is optional, as the platform allows). */
export function checkPhoneNumber(value: string): NumberCheck {
  const hit = cache.get(value)
  if (hit) return hit
  const result = computeCheck(value)
  if (cache.size >= CACHE_MAX) cache.clear()
  cache.set(value, result)
  return result
}

function computeCheck(value: string): NumberCheck {
  const trimmed = value.trim()
  const digits = trimmed.replace(/[\s().-]/g, '')
  const plus = digits.startsWith('+') ? digits : `+${digits}`
  const parsed = /^\+\d+$/.test(plus) ? parsePhoneNumberFromString(plus) : undefined
  let country = parsed?.country ?? parsed?.getPossibleCountries()[0]
  let callingCode = parsed?.countryCallingCode as string | undefined
  if (!country && /^\+\d+$/.test(plus)) {
    // Too short to place: the calling code still says which country was meant.
    const partial = new AsYouType()
    partial.input(plus)
    callingCode = partial.getCallingCode() as string | undefined
    country = partial.getCountry() || (callingCode ? mainCountry(callingCode) : undefined)
  }
  const base: NumberCheck = {ok: false, country, callingCode}
  if (trimmed === '') return {...base, reason: 'is empty'}
  if (!/^\+?\d+$/.test(digits)) return {...base, reason: 'holds characters other than digits'}
  if (digits.startsWith('00')) return {...base, reason: 'starts with 00; E.164 starts with the country code', suggestion: `+${digits.slice(2)}`}
  if (digits.startsWith('0') || digits.startsWith('+0')) return {...base, reason: 'starts with 0: a national number, not E.164 (country code first)'}
  const length = validatePhoneNumberLength(plus)
  if (length === 'INVALID_COUNTRY') return {...base, reason: `starts with +${plus.slice(1, 4)}…, which is no country's calling code`}
  const lengthProblem = length === 'TOO_SHORT' || length === 'NOT_A_NUMBER' ? `is too short for ${describe(base)}`
    : length === 'TOO_LONG' ? `is too long for ${describe(base)}`
    : length === 'INVALID_LENGTH' ? `has a length that does not fit ${describe(base)}` : undefined
  if (!E164.test(digits)) return {...base, reason: lengthProblem ?? 'is not in E.164 form (7 to 15 digits)'}
  if (digits !== trimmed) return {...base, reason: 'has spaces or punctuation; E.164 is digits only', suggestion: digits}
  // Valid E.164 whose length is implausible for its country: nothing in 8x8's docs says the platform
  // checks national lengths (its own VCA example uses +65123456789), so this is doubtful, not refused.
  if (lengthProblem) return {...base, ok: true, doubtful: true, reason: lengthProblem}
  if (parsed && !parsed.isValid()) return {...base, ok: true, doubtful: true, reason: `matches no number range of ${countryName(country) ?? 'its country'}`}
  return {...base, ok: true}
}
