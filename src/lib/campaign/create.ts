/**
 * `campaign create`: the settings read, the content checked (`menu check`, or the template parsed),
 * every contact read from the CSV, every rendered callflow through the shared validator, the calling
 * window tried for each callee, and the plan. The campaign exists only if all of that passed: errors
 * refuse (nothing is written), skipped rows are reported with their row numbers.
 */
import {promises as fs} from 'node:fs'

import {checkPhoneNumber} from '../callflow/phone.js'
import type {Problem} from '../callflow/validate.js'
import {invalidInput} from '../errors.js'
import {readInputFile} from '../input-file.js'
import {importContacts, readDoNotCall, type ImportSummary} from './contacts.js'
import {checkRequest, loadContent, placeholdersWithoutColumn, storedContent, type LoadedContent} from './content.js'
import type {CampaignOptions} from './definition.js'
import type {CampaignStore} from './journal.js'
import {clientRequestIdFor, type CampaignDefinition, type SkippedRow} from './model.js'
import {makePlan, PlanTally, type Plan} from './plan.js'

/** One problem found while checking, with the CSV row it belongs to (none: the content or settings). */
export interface CheckProblem {
  row?: number
  severity: 'error' | 'warning'
  message: string
  /** For a callflow problem: where in the request, and the platform's code. */
  path?: string
  code?: number
}

export interface CheckReport {
  name: string
  location?: string
  created: boolean
  /** Errors refuse creation; the first 200 of each kind are kept, with `more` counting the rest. */
  problems: CheckProblem[]
  moreProblems: number
  skipped: SkippedRow[]
  moreSkipped: number
  contacts?: ImportSummary
  plan?: Plan
}

export interface CreateContext {
  store: CampaignStore
  account?: string
  knownProfiles?: ReadonlySet<string>
  /** The sub-account's numbers (digits only), when known: a caller id not among them is an error. */
  accountNumbers?: ReadonlySet<string>
  replace?: boolean
  /** Check and plan only: write nothing. */
  dryRun?: boolean
  now?: Date
}

const KEEP = 200

class Collector {
  problems: CheckProblem[] = []
  more = 0
  errors = 0
  add(p: CheckProblem): void {
    if (p.severity === 'error') this.errors++
    if (this.problems.length < KEEP) this.problems.push(p)
    else this.more++
  }
}

const fromProblem = (p: Problem, row?: number): CheckProblem => ({
  ...(row === undefined ? {} : {row}), severity: p.severity, message: p.message, path: p.path, ...(p.code === undefined ? {} : {code: p.code}),
})

export async function createCampaign(opts: CampaignOptions, ctx: CreateContext): Promise<CheckReport> {
  const now = ctx.now ?? new Date()
  const found = new Collector()
  const report: CheckReport = {name: opts.name, created: false, problems: found.problems, moreProblems: 0, skipped: [], moreSkipped: 0}
  const finish = () => {
    report.moreProblems = found.more
    return report
  }

  // The caller ids.
  for (const from of opts.from) {
    const check = checkPhoneNumber(from)
    if (!check.ok) found.add({severity: 'error', message: `caller id ${from} ${check.reason}`})
    else if (ctx.accountNumbers && !ctx.accountNumbers.has(from.replace(/^\+/, ''))) {
      found.add({severity: 'error', message: `caller id ${from} is not a number of the sub-account (the platform would refuse every call: -1014)`})
    }
  }

  // The content.
  const text = await readInputFile(opts.content.file, opts.content.kind === 'menu' ? 'Give a menu file (YAML or JSON); see docs/menus.md.' : 'Give a callflow file (JSON or YAML).')
  const stored = storedContent(opts.content.kind, opts.content.file, text)
  for (const p of stored.problems) found.add(fromProblem(p))
  if (!stored.content) return finish()
  const content: LoadedContent = loadContent(stored.content, {knownProfiles: ctx.knownProfiles})
  for (const p of content.problems) found.add({...fromProblem(p), message: `${opts.content.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`})
  if (content.kind === 'menu' && !content.menu) return finish()
  if (found.errors > 0) return finish()

  const doNotCall = opts.doNotCall ? await readDoNotCall(opts.doNotCall) : undefined
  const definitionBase = {
    name: opts.name, createdAt: now.toISOString(), ...(ctx.account ? {account: ctx.account} : {}), contactsFile: opts.contacts,
    content: stored.content, from: opts.from, rate: opts.rate, maxLive: opts.maxLive,
    ...(opts.window ? {window: opts.window} : {}), ...(opts.timezone ? {defaultTimezone: opts.timezone} : {}),
    retry: opts.retry, validForMs: opts.validForMs, liveTimeoutMs: opts.liveTimeoutMs,
    ...(opts.pricePerMinute === undefined ? {} : {pricePerMinute: opts.pricePerMinute}), ...(opts.currency ? {currency: opts.currency} : {}),
  }
  let writer: Awaited<ReturnType<CampaignStore['create']>> | undefined
  const tally = new PlanTally(opts.window, opts.timezone, now.getTime())
  // A callflow without column placeholders renders the same for everyone but the number: validate it once.
  const perContact = content.kind === 'callflow' && content.placeholders.some((p) => p !== 'to' && p !== 'from')
  let checkedOnce = false
  const sampleVu = new Date(now.getTime() + opts.validForMs).toISOString()
  let nextId = 0

  try {
    report.contacts = await importContacts({
      file: opts.contacts,
      numberColumn: opts.numberColumn,
      doNotCall,
      onHeader: async (header) => {
        for (const name of placeholdersWithoutColumn(content, header.columns)) {
          found.add({severity: 'error', message: `placeholder {{${name}}} has no column in ${opts.contacts} (columns: ${header.columns.join(', ') || 'none but the number'})`})
        }
        if (found.errors > 0 || ctx.dryRun) return
        const definition: CampaignDefinition = {...definitionBase, numberColumn: header.numberColumn, columns: header.columns}
        writer = await ctx.store.create(definition, {replace: ctx.replace})
      },
      onSkipped: async (row) => {
        tally.skipped(row.reason)
        if (report.skipped.length < KEEP) report.skipped.push(row)
        else report.moreSkipped++
        if (row.reason === 'invalid' && opts.onInvalid === 'refuse') found.add({row: row.row, severity: 'error', message: row.detail})
        await writer?.addSkipped(row)
      },
      onDoubtful: (row, message) => found.add({row, severity: 'warning', message}),
      onContact: async (contact, country) => {
        if (found.errors > 0 && !perContact) return
        const zones = tally.contact(contact, country)
        if (zones === 'never') {
          const row: SkippedRow = {row: contact.row, number: contact.number, reason: 'invalid', detail: `the window ${tally.windowText} never opens for ${contact.number} (${tally.zoneText(contact, country)})`}
          tally.unContact()
          tally.skipped('invalid')
          if (report.skipped.length < KEEP) report.skipped.push(row)
          else report.moreSkipped++
          if (opts.onInvalid === 'refuse') found.add({row: row.row, severity: 'error', message: row.detail})
          await writer?.addSkipped(row)
          return
        }
        nextId++
        if (perContact || !checkedOnce) {
          checkedOnce = true
          const request = content.request(contact, {from: opts.from[0], clientRequestId: clientRequestIdFor(opts.name, nextId, 1), validUntil: sampleVu})
          for (const p of checkRequest(request, {now, knownProfiles: ctx.knownProfiles})) {
            if (p.severity === 'error' || !perContact) found.add(fromProblem(p, perContact ? contact.row : undefined))
          }
        }
        if (found.errors === 0) await writer?.addContact(contact)
      },
    })
    if (tally.contacts === 0 && report.contacts.contacts > 0 && opts.window) {
      found.add({severity: 'error', message: `the window ${tally.windowText} never opens for any contact`})
    } else if (tally.contacts === 0 && found.errors === 0) {
      found.add({severity: 'error', message: `${opts.contacts} has no contact that can be called (${report.contacts.rows} rows: every one skipped)`})
    }
    report.plan = makePlan(tally, opts)
    if (found.errors > 0 || ctx.dryRun) {
      await writer?.abort()
      return finish()
    }
    if (!writer) throw invalidInput(`${opts.contacts} has no header row.`)
    await writer.commit()
    report.created = true
    report.location = ctx.store.location
    return finish()
  } catch (error) {
    await writer?.abort()
    throw error
  }
}

/** Whether a file exists (for messages that name it). */
export const fileExists = (file: string) => fs.stat(file).then(() => true, () => false)
