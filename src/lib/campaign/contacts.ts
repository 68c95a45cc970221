/**
 * Contacts from a CSV file, streamed (a million rows in a few hundred MB at most): the number column
 * found by name or given, every other column a {{placeholder}}, numbers normalised to E.164,
 * duplicates and do-not-call numbers set aside, bad rows reported by row number. Rows are counted as
 * a spreadsheet shows records: the header is row 1.
 */
import {createReadStream} from 'node:fs'
import {promises as fs} from 'node:fs'

import {parsePhoneNumberFromString} from 'libphonenumber-js'

import {checkPhoneNumber} from '../callflow/phone.js'
import {invalidInput, IvrError, usageError} from '../errors.js'
import {unreadableReason} from '../input-file.js'
import {CsvReader} from '../logs/csv.js'
import type {Contact, SkippedRow} from './model.js'
import {NumberRows} from './number-set.js'
import {checkTimezone} from './window.js'

/** Headers taken as the number column, in this order of preference (case and spaces ignored). */
export const NUMBER_COLUMNS = ['phone', 'number', 'to', 'phone_number', 'phonenumber', 'mobile', 'msisdn', 'destination']
/** A column with this header (any case) sets the callee's zone. */
export const TIMEZONE_COLUMNS = ['timezone', 'tz', 'time_zone']

export interface NumberReading {
  /** E.164 with +, when the number can be called. */
  e164?: string
  /** Why not, in words. */
  reason?: string
  /** Callable, but matches no number range of its country: worth a warning. */
  doubtful?: string
  country?: string
}

/** A number as a contact list holds it (spaces, dashes, 00 or + prefix) read as E.164. */
export function readNumber(raw: string): NumberReading {
  const text = raw.trim()
  if (text === '') return {reason: 'the number is empty'}
  let digits = text.replace(/[\s().\-/]/g, '')
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`
  if (!digits.startsWith('+')) digits = `+${digits}`
  const check = checkPhoneNumber(digits)
  if (!check.ok) return {reason: `${text} ${check.reason ?? 'is not a phone number'}`, country: check.country}
  const parsed = parsePhoneNumberFromString(digits)
  const e164 = parsed?.number ?? digits
  return {e164, country: check.country ?? parsed?.country, ...(check.doubtful ? {doubtful: `${e164} ${check.reason}`} : {})}
}

/** A do-not-call file: one number per line (or the first column of a CSV), normalised like contacts. */
export async function readDoNotCall(file: string): Promise<Set<string>> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    throw invalidInput(`Cannot read the do-not-call file ${file}: ${unreadableReason(error)}.`, ['Give a file with one number per line.'], 'FILE_UNREADABLE')
  }
  const out = new Set<string>()
  for (const line of text.split(/\r?\n/)) {
    const first = line.split(',')[0].replace(/^"|"$/g, '').trim()
    if (first === '' || first.startsWith('#') || !/\d/.test(first)) continue
    const n = readNumber(first)
    out.add(n.e164 ?? first.replace(/[^\d+]/g, ''))
  }
  return out
}

export interface ImportOptions {
  file: string
  /** The header of the number column; found by name when absent. */
  numberColumn?: string
  doNotCall?: ReadonlySet<string>
  /** Each callable contact, in file order (awaited: the caller writes it). */
  onContact: (contact: Omit<Contact, 'id'>, country: string | undefined) => Promise<void> | void
  onSkipped: (row: SkippedRow) => Promise<void> | void
  /** Called once the header is read, before any row. */
  onHeader?: (header: {numberColumn: string; columns: string[]; timezoneColumn?: string}) => Promise<void> | void
  /** A number that can be called but looks wrong (no number range matches). */
  onDoubtful?: (row: number, message: string) => void
}

export interface ImportSummary {
  numberColumn: string
  /** Every other column, in file order. */
  columns: string[]
  timezoneColumn?: string
  /** Data rows read (the header not counted). */
  rows: number
  contacts: number
  skipped: {invalid: number; duplicate: number; 'do-not-call': number}
  doubtful: number
}

const norm = (h: string) => h.trim().toLowerCase().replace(/\s+/g, '_')

function findNumberColumn(headers: string[], given: string | undefined, file: string): number {
  if (given !== undefined) {
    const i = headers.findIndex((h) => h.trim() === given.trim())
    const j = i === -1 ? headers.findIndex((h) => norm(h) === norm(given)) : i
    if (j === -1) throw usageError(`${file} has no column "${given}" (--number-column). Its columns: ${headers.join(', ')}.`)
    return j
  }
  for (const name of NUMBER_COLUMNS) {
    const i = headers.findIndex((h) => norm(h) === name)
    if (i !== -1) return i
  }
  throw invalidInput(`${file} has no number column: none of its columns (${headers.join(', ')}) is named ${NUMBER_COLUMNS.slice(0, 3).join(', ')} or the like.`, [
    'Name the column with --number-column NAME, or rename it to phone.',
  ], 'CONTACTS_NO_NUMBER_COLUMN')
}

/** Streams the contacts file; throws (exit 4) for a file that is not UTF-8, has no number column, or no rows. */
export async function importContacts(opts: ImportOptions): Promise<ImportSummary> {
  const {file} = opts
  let stream
  try {
    const stat = await fs.stat(file)
    if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), {code: 'EISDIR'})
    stream = createReadStream(file, {highWaterMark: 1 << 20})
  } catch (error) {
    throw invalidInput(`Cannot read the contacts file ${file}: ${unreadableReason(error)}.`, ['Give a CSV file with a header row and a phone column.'], 'FILE_UNREADABLE')
  }
  const decoder = new TextDecoder('utf-8', {fatal: true})
  let headers: string[] | undefined
  let numberAt = -1
  let tzAt = -1
  let records: string[][] = []
  const reader = new CsvReader((fields) => records.push(fields))
  const seen = new NumberRows()
  const summary: ImportSummary = {numberColumn: '', columns: [], rows: 0, contacts: 0, skipped: {invalid: 0, duplicate: 0, 'do-not-call': 0}, doubtful: 0}
  let row = 0
  let first = true

  const handle = async () => {
    const batch = records
    records = []
    for (const fields of batch) {
      row++
      if (!headers) {
        headers = fields.map((h) => h.trim())
        numberAt = findNumberColumn(headers, opts.numberColumn, file)
        tzAt = headers.findIndex((h, i) => i !== numberAt && TIMEZONE_COLUMNS.includes(norm(h)))
        summary.numberColumn = headers[numberAt]
        summary.columns = headers.filter((_, i) => i !== numberAt)
        if (tzAt !== -1) summary.timezoneColumn = headers[tzAt]
        await opts.onHeader?.({numberColumn: summary.numberColumn, columns: summary.columns, ...(tzAt === -1 ? {} : {timezoneColumn: headers[tzAt]})})
        continue
      }
      summary.rows++
      const raw = fields[numberAt] ?? ''
      const n = readNumber(raw)
      const skip = async (reason: SkippedRow['reason'], detail: string) => {
        summary.skipped[reason]++
        await opts.onSkipped({row, number: n.e164 ?? raw.trim(), reason, detail})
      }
      if (!n.e164) {
        await skip('invalid', n.reason ?? 'not a phone number')
        continue
      }
      if (opts.doNotCall?.has(n.e164)) {
        await skip('do-not-call', `${n.e164} is on the do-not-call list`)
        continue
      }
      const firstRow = seen.get(n.e164)
      if (firstRow !== undefined) {
        await skip('duplicate', `${n.e164} is also on row ${firstRow} (called once)`)
        continue
      }
      let timezone: string | undefined
      if (tzAt !== -1 && (fields[tzAt] ?? '').trim() !== '') {
        timezone = checkTimezone(fields[tzAt].trim())
        if (!timezone) {
          await skip('invalid', `"${fields[tzAt].trim()}" in the ${headers[tzAt]} column is not a time zone (e.g. Asia/Singapore)`)
          continue
        }
      }
      seen.set(n.e164, row)
      if (n.doubtful) {
        summary.doubtful++
        opts.onDoubtful?.(row, n.doubtful)
      }
      const vars: Record<string, string> = {}
      for (let i = 0; i < headers.length; i++) if (i !== numberAt) vars[headers[i]] = fields[i] ?? ''
      summary.contacts++
      await opts.onContact({row, number: n.e164, vars, ...(timezone ? {timezone} : {})}, n.country)
    }
  }

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text = decoder.decode(chunk, {stream: true})
      if (first) {
        text = text.replace(/^\uFEFF/, '')
        first = false
      }
      reader.push(text)
      await handle()
    }
    reader.push(decoder.decode())
  } catch (error) {
    if (error instanceof IvrError) throw error
    if (error instanceof TypeError && /encoded|decode/i.test(error.message)) {
      throw invalidInput(`${file} is not UTF-8 text (row ${row + 1} or near it).`, ['Save the contacts as "CSV UTF-8" (Excel: Save As → CSV UTF-8), or convert it: iconv -f latin1 -t utf-8 in.csv > out.csv.'], 'CONTACTS_NOT_UTF8')
    }
    if ((error as NodeJS.ErrnoException).code) {
      throw invalidInput(`Cannot read the contacts file ${file}: ${unreadableReason(error)}.`, ['Give a CSV file with a header row and a phone column.'], 'FILE_UNREADABLE')
    }
    throw error
  }
  reader.end()
  await handle()
  if (!headers) throw invalidInput(`${file} is empty: no header row, no contacts.`, ['Give a CSV file with a header row (e.g. phone,name) and one contact per row.'], 'CONTACTS_EMPTY')
  if (summary.rows === 0) throw invalidInput(`${file} has a header row but no contacts (0 rows).`, ['Add one contact per row under the header.'], 'CONTACTS_EMPTY')
  return summary
}
