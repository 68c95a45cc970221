/**
 * `campaign check NAME`: the checks of `create`, again, on a stored campaign (the voices cached
 * since, the clock now): each pending contact's request through the shared validator, the menu
 * through `menu check`, the window for each; then the plan for the contacts still to call.
 */
import {readNumber} from './contacts.js'
import {checkRequest, loadContent} from './content.js'
import type {CheckProblem, CheckReport} from './create.js'
import type {CampaignJournal} from './journal.js'
import {makePlan, PlanTally} from './plan.js'

export async function checkStored(journal: CampaignJournal, opts: {knownProfiles?: ReadonlySet<string>; now?: Date}): Promise<CheckReport> {
  const def = journal.definition
  const now = opts.now ?? new Date()
  const problems: CheckProblem[] = []
  let more = 0
  const add = (p: CheckProblem) => (problems.length < 200 ? problems.push(p) : more++)
  const content = loadContent(def.content, {knownProfiles: opts.knownProfiles})
  for (const p of content.problems) add({severity: p.severity, message: `${def.content.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`, path: p.path})
  const tally = new PlanTally(def.window, def.defaultTimezone, now.getTime())
  const perContact = content.kind === 'callflow' && content.placeholders.some((p) => p !== 'to' && p !== 'from')
  let checked = false
  const validUntil = new Date(now.getTime() + def.validForMs).toISOString()
  for await (const r of journal.results()) {
    if (r.state !== 'pending') continue
    if (tally.contact(r.contact, readNumber(r.contact.number).country) === 'never') {
      add({row: r.contact.row, severity: 'error', message: `the window ${tally.windowText} never opens for ${r.contact.number}`})
    }
    if (content.kind === 'menu' && !content.menu) continue
    if (perContact || !checked) {
      checked = true
      const request = content.request(r.contact, {from: def.from[0], clientRequestId: `${def.name}/${r.contact.id}/${r.attempts.length + 1}`, validUntil})
      for (const p of checkRequest(request, {now, knownProfiles: opts.knownProfiles})) {
        if (p.severity === 'error') add({row: perContact ? r.contact.row : undefined, severity: 'error', message: p.message, path: p.path, ...(p.code === undefined ? {} : {code: p.code})})
      }
    }
  }
  const plan = makePlan(tally, {rate: def.rate, maxLive: def.maxLive, window: def.window, pricePerMinute: def.pricePerMinute, currency: def.currency})
  return {name: def.name, created: true, problems, moreProblems: more, skipped: [], moreSkipped: 0, plan}
}
