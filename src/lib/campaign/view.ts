/** What campaign commands print: the check report and plan, status, the progress line, results and list rows. Strings only. */
import type {Colors} from '../render/colors.js'
import type {Column} from '../render/table.js'
import {safeLine} from '../render/safe.js'
import {formatSeconds} from '../render/time.js'
import type {CheckReport} from './create.js'
import type {CampaignCounts, CampaignSummary, ContactResult} from './journal.js'
import type {Plan} from './plan.js'
import type {CampaignRunEvent} from './run.js'

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`

export function formatPlan(plan: Plan): string {
  const lines = [`Plan: ${plural(plan.contacts, 'contact')} to call at ${plan.rate}/s, at most ${plan.maxLive} live.`]
  const s = plan.skipped
  const skipped = s.invalid + s.duplicate + s['do-not-call']
  if (skipped > 0) lines.push(`  Skipped: ${skipped} (${s.invalid} invalid, ${s.duplicate} duplicate, ${s['do-not-call']} do-not-call).`)
  lines.push(`  Window: ${plan.window ? `${plan.window} in each callee's local time (about ${plan.openHoursPerDay} h a day open for most contacts)` : 'none: calls start at any hour'}.`)
  for (const m of plan.multiZone) {
    lines.push(`  ${m.country}: ${plural(m.contacts, 'contact')} in a country of ${m.zones} time zones: called only while the window is open in all of them (about ${m.openHoursPerDay} h a day). A timezone column narrows it.`)
  }
  const dialing = formatSeconds(plan.dialingSeconds)
  lines.push(`  Estimated: ${dialing} of dialing for the first calls${plan.window && plan.calendarDays > 1 ? `, over about ${plan.calendarDays} days of the window` : ''} (assuming ${plan.assumedCallSeconds} s calls; retries add to it).`)
  if (plan.cost) lines.push(`  Estimated cost: ${plan.cost.estimate} ${plan.cost.currency ?? ''} at ${plan.cost.perMinute}/min (one billed minute per call; retries add to it).`.replace(' ( ', ' ('))
  return lines.join('\n')
}

export function formatCheck(r: CheckReport, c: Colors): string {
  const lines: string[] = []
  for (const p of r.problems) {
    const where = p.row === undefined ? '' : `row ${p.row}: `
    const tag = p.severity === 'error' ? c.red('error') : c.yellow('warning')
    lines.push(`${tag} ${where}${safeLine(p.message)}${p.path ? c.dim(` (${p.path}${p.code === undefined ? '' : `, ${p.code}`})`) : ''}`)
  }
  if (r.moreProblems > 0) lines.push(c.dim(`… and ${r.moreProblems} more problems.`))
  for (const s of r.skipped) lines.push(`${c.dim('skipped')} row ${s.row}: ${safeLine(s.detail)}`)
  if (r.moreSkipped > 0) lines.push(c.dim(`… and ${r.moreSkipped} more skipped rows.`))
  if (r.plan) lines.push(formatPlan(r.plan))
  return lines.join('\n')
}

/**
 * The outcomes `campaign results --outcome` keeps, from a comma-separated list; the progress line's
 * spelling (no-answer) counts as the outcome's (NO_ANSWER).
 */
export function outcomeFilter(list: string | undefined): Set<string> | undefined {
  if (!list) return undefined
  return new Set(list.split(',').map((s) => s.trim().toUpperCase().replaceAll('-', '_')))
}

/** Outcome words in the order people read them. */
const ORDER = ['COMPLETED', 'BUSY', 'NO_ANSWER', 'FAILED', 'ERROR', 'CANCELED', 'REJECTED', 'NO_SUMMARY', 'CANCELLED']
export function outcomeList(counts: CampaignCounts): Array<[string, number]> {
  return Object.entries(counts.byOutcome).sort(([a], [b]) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b))
}

export function formatStatus(name: string, status: string, counts: CampaignCounts, opts: {rate?: number; etaSeconds?: number; runner?: string}): string {
  const lines = [`Campaign ${name}: ${status}${opts.runner ? ` (${opts.runner})` : ''}`]
  lines.push(`  Contacts: ${counts.total.toLocaleString('en-US')} (${counts.done} done, ${counts.pending} to call${counts.waiting ? `, ${counts.waiting} waiting for a retry or the window` : ''}, ${counts.live + counts.dialing} live, ${counts.uncertain} uncertain), ${counts.skipped} skipped.`)
  const outcomes = outcomeList(counts)
  if (outcomes.length > 0) lines.push(`  Outcomes: ${outcomes.map(([k, v]) => `${k} ${v}`).join(', ')}.`)
  lines.push(`  Calls: ${counts.attempts} requests, ${counts.created} created${opts.rate === undefined ? '' : `, ${opts.rate}/s over the last minute`}${opts.etaSeconds === undefined ? '' : `, about ${formatSeconds(opts.etaSeconds)} to go`}.`)
  if (counts.uncertain > 0) lines.push(`  ${counts.uncertain} uncertain: the request may have placed a call. Settle them with \`ivr campaign reconcile ${name}\`.`)
  return lines.join('\n')
}

/** The progress line for a terminal: a bar, counts per outcome, rate and ETA, fitted to `width`. */
export function progressLine(counts: CampaignCounts, opts: {rate: number; etaSeconds?: number; width: number; colors: Colors; note?: string}): string {
  const total = Math.max(1, counts.total)
  const share = counts.done / total
  const barWidth = Math.max(10, Math.min(30, opts.width - 70))
  const filled = Math.round(share * barWidth)
  const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`
  const outcomes = outcomeList(counts).map(([k, v]) => `${k.toLowerCase().replace('_', '-')} ${v}`).join(' ')
  const parts = [`${bar} ${Math.floor(share * 100)}% ${counts.done}/${counts.total}`, outcomes, `live ${counts.live + counts.dialing}`, `${opts.rate}/s`]
  if (counts.uncertain) parts.push(opts.colors.yellow(`uncertain ${counts.uncertain}`))
  if (opts.etaSeconds !== undefined) parts.push(`ETA ${formatSeconds(opts.etaSeconds)}`)
  if (opts.note) parts.push(opts.note)
  const text = parts.filter(Boolean).join(' · ')
  return text.length > opts.width ? text.slice(0, Math.max(0, opts.width - 1)) : text
}

/** One row of `campaign results`, flattened for tables and CSV. */
export interface ResultRow {
  id: number
  row: number
  number: string
  outcome: string
  attempts: number
  digits: string
  path: string
  sessionIds: string
  durationSec?: number
  columns: Record<string, string>
}

export function resultRow(r: ContactResult): ResultRow {
  const created = r.attempts.filter((a) => a.sessionId)
  const last = [...r.attempts].reverse().find((a) => a.status) ?? r.attempts.at(-1)
  const steps = last?.steps ?? []
  return {
    id: r.contact.id, row: r.contact.row, number: r.contact.number, outcome: r.outcome, attempts: r.attempts.length,
    digits: steps.map((s) => s.taken).filter((t) => /^[\d*#]+$/.test(t)).join(' '),
    path: steps.map((s) => `${s.node ?? '?'}:${s.taken}`).join(' > '),
    sessionIds: created.map((a) => a.sessionId).join(' '),
    ...(last?.durationSec === undefined ? {} : {durationSec: last.durationSec}),
    columns: r.contact.vars,
  }
}

export function resultColumns(columns: readonly string[], c: Colors, opts: {csv?: boolean} = {}): Column<ResultRow>[] {
  const styled = (o: string) => (o === 'COMPLETED' ? c.green(o) : o === 'UNCERTAIN' || o === 'NO_SUMMARY' ? c.yellow(o) : o === 'PENDING' || o === 'LIVE' ? c.dim(o) : c.red(o))
  return [
    {header: 'row', get: (r) => r.row},
    {header: 'number', get: (r) => r.number},
    ...columns.map((name): Column<ResultRow> => ({header: name, get: (r) => r.columns[name]})),
    {header: 'outcome', get: (r) => r.outcome, ...(opts.csv ? {} : {style: (t: string) => styled(t)})},
    {header: 'attempts', get: (r) => r.attempts},
    {header: 'digits', get: (r) => r.digits},
    {header: 'menu path', get: (r) => r.path},
    {header: 'duration s', get: (r) => r.durationSec},
    {header: 'session ids', get: (r) => r.sessionIds},
  ]
}

export function listColumns(): Column<CampaignSummary>[] {
  return [
    {header: 'name', get: (s) => s.name},
    {header: 'status', get: (s) => s.status},
    {header: 'contacts', get: (s) => s.counts.total},
    {header: 'done', get: (s) => s.counts.done},
    {header: 'uncertain', get: (s) => s.counts.uncertain},
    {header: 'created', get: (s) => s.createdAt.slice(0, 16).replace('T', ' ')},
  ]
}

/**
 * How `campaign run` shows its events: NDJSON on stdout (--json, or no terminal), else a progress
 * bar redrawn on stderr with notes above it. Returns the handler and a function that clears the bar.
 */
export function runEventPrinter(o: {ndjson: boolean; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & {columns?: number}; colors: Colors}): {onEvent: (ev: CampaignRunEvent) => void; clear: () => void} {
  let bar = ''
  const onEvent = (ev: CampaignRunEvent) => {
    if (o.ndjson) return void o.stdout.write(`${JSON.stringify({at: new Date().toISOString(), ...ev})}\n`)
    if (ev.type === 'progress') {
      bar = progressLine(ev.counts, {rate: ev.rate, etaSeconds: ev.etaSeconds, width: o.stderr.columns || 80, colors: o.colors})
      o.stderr.write(`\r\x1b[K${bar}`)
    } else if (ev.type === 'waiting' || ev.type === 'paused' || ev.type === 'resumed' || ev.type === 'rate-limited' || ev.type === 'stopping') {
      const words = ev.type === 'waiting' ? `${ev.reason === 'window' ? 'A calling window is closed' : 'Every contact left waits for a retry or its window'}: the next is due ${new Date(ev.until).toLocaleString()}.`
        : ev.type === 'rate-limited' ? `The platform asked to slow down (429): waiting ${Math.ceil(ev.retryAfterMs / 1000)} s, then ${ev.rate}/s.`
          : ev.type === 'stopping' ? `Stopping (${ev.reason}): waiting for ${ev.live} live call${ev.live === 1 ? '' : 's'}…` : `Campaign ${ev.type}.`
      o.stderr.write(`\r\x1b[K${words}\n${bar}`)
    } else if (ev.type === 'listener') {
      o.stderr.write(`\r\x1b[KRunner pid ${ev.stoppedPid}, whose listener this run used, has stopped; ${ev.tookOver ? 'this run took its place: ' : ''}${ev.now.join('; ')}.\n${bar}`)
    }
  }
  return {onEvent, clear: () => void (o.ndjson || o.stderr.write('\r\x1b[K'))}
}
