/**
 * `ivr report --html`: one self-contained HTML file (inline CSS and SVG, no script, no request
 * when opened) about the sessions in the store, the menus' decisions, and costs from a log export.
 * Everything is aggregated while streaming, so the page's size depends on the days and menus
 * shown, not on the number of calls.
 */
import type {CampaignCounts} from '../campaign/journal.js'
import {lookupCode} from '../codes.js'
import {usageError} from '../errors.js'
import {summarizeFiles, type LogSummary} from '../logs/summarize.js'
import {loadMenuOrThrow} from '../menu/files.js'
import {localDay, pad2} from '../render/time.js'
import {chooseStore} from '../sessions/location.js'
import {mosBand} from '../webhooks/payloads.js'
import {parseSince, scanSummaries} from '../sessions/query.js'
import type {Warn} from '../sessions/store.js'
import {menuStatsFor, type MenuStats} from './menu-stats.js'
import {describePath, pct} from './render.js'
import {barChart, columnChart, esc, type Point} from './svg.js'

export interface ReportData {
  title: string
  generatedAt: string
  from?: string
  to?: string
  sessions: number
  answered: number
  /** Connected minutes over all legs. */
  minutes: number
  perDay: Array<{day: string; sessions: number; answered: number}>
  /** Sessions by hour of the day (local time), 0..23. */
  perHour: number[]
  outcomes: Array<{status: string; count: number}>
  errors: Array<{code: string; meaning?: string; count: number}>
  /** Answered sessions by connected duration. */
  durations: Array<{band: string; count: number}>
  /** Sessions by worst MOS over their legs. */
  mos: Array<{band: string; count: number}>
  cost?: {currency: string; total: number; perDay: Array<{day: string; amount: number}>; files: string[]}
  menus: MenuStats[]
  campaign?: {name: string; outcomes: Array<{outcome: string; count: number}>; contacts: number}
}

const DURATION_BANDS: Array<[string, number]> = [['< 10 s', 10], ['10–30 s', 30], ['30–60 s', 60], ['1–2 min', 120], ['2–5 min', 300], ['5–10 min', 600], ['10 min +', Infinity]]
const MOS_BANDS = ['excellent', 'good', 'fair', 'poor', 'bad', 'unknown'] as const

/** The sessions part of the report, from the store in one pass. */
export async function summarizeSessions(storeFile: string, opts: {since?: Date; until?: Date; warn?: Warn} = {}): Promise<Omit<ReportData, 'title' | 'generatedAt' | 'menus' | 'cost' | 'campaign'>> {
  const until = opts.until?.getTime() ?? Infinity
  const days = new Map<string, {sessions: number; answered: number}>()
  const perHour = Array.from({length: 24}, () => 0)
  const outcomes = new Map<string, number>()
  const errors = new Map<string, number>()
  const durations = DURATION_BANDS.map(() => 0)
  const mos = new Map<string, number>(MOS_BANDS.map((b) => [b, 0]))
  let sessions = 0
  let answered = 0
  let seconds = 0
  let from = Infinity
  let to = -Infinity
  await scanSummaries(storeFile, {since: opts.since}, (row) => {
    if (!(row.time < until)) return
    sessions++
    const d = new Date(row.time)
    const valid = Number.isFinite(row.time)
    const day = valid ? localDay(d) : 'unknown'
    const g = days.get(day) ?? {sessions: 0, answered: 0}
    g.sessions++
    if (valid) perHour[d.getHours()]++
    outcomes.set(row.status, (outcomes.get(row.status) ?? 0) + 1)
    if (row.errorCode !== undefined || row.errorMsg) {
      const k = String(row.errorCode ?? row.errorMsg)
      errors.set(k, (errors.get(k) ?? 0) + 1)
    }
    if (row.answered) {
      answered++
      g.answered++
      const sec = row.durationSec ?? 0
      durations[DURATION_BANDS.findIndex(([, upTo]) => sec < upTo)]++
    }
    seconds += row.legSeconds
    const band = mosBand(row.mos) ?? 'unknown'
    mos.set(band, (mos.get(band) ?? 0) + 1)
    days.set(day, g)
    if (valid && row.time < from) from = row.time
    if (valid && row.time > to) to = row.time
  }, opts.warn)
  return {
    ...(Number.isFinite(from) ? {from: new Date(from).toISOString(), to: new Date(to).toISOString()} : {}),
    sessions, answered, minutes: Math.round(seconds / 6) / 10,
    perDay: [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, g]) => ({day, ...g})),
    perHour,
    outcomes: [...outcomes].sort((a, b) => b[1] - a[1]).map(([status, count]) => ({status, count})),
    errors: [...errors].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([code, count]) => ({code, meaning: lookupCode(Number(code))?.meaning, count})),
    durations: DURATION_BANDS.map(([band], i) => ({band, count: durations[i]})),
    mos: [...mos].map(([band, count]) => ({band, count})),
  }
}

/** Cost per day of the export's main currency (the one with the largest total). */
export function costOf(summary: LogSummary): ReportData['cost'] {
  const currency = summary.cost[0]?.currency
  if (!currency) return undefined
  return {
    currency, total: summary.cost[0].amount, files: summary.files,
    perDay: summary.byDay.map((d) => ({day: d.key, amount: d.cost.find((c) => c.currency === currency)?.amount ?? 0})),
  }
}

// ---- HTML ----------------------------------------------------------------------------------------

const STATUS_COLOUR: Record<string, string> = {COMPLETED: '#16a34a', BUSY: '#d97706', NO_ANSWER: '#ca8a04', CANCELED: '#9ca3af', FAILED: '#dc2626', ERROR: '#b91c1c'}
const MOS_COLOUR: Record<string, string> = {excellent: '#15803d', good: '#65a30d', fair: '#ca8a04', poor: '#ea580c', bad: '#dc2626', unknown: '#9ca3af'}

const CSS = `
:root{color-scheme:light;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--card:#ffffff;--bg:#f3f4f6}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header,main{max-width:1200px;margin:0 auto;padding:16px}
header h1{font-size:1.5rem;margin:8px 0 2px}
header p{margin:0;color:var(--muted)}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:16px}
.figure{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.figure b{display:block;font-size:1.4rem}
.figure span{color:var(--muted);font-size:.85rem}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:16px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:0}
section.wide{grid-column:1/-1}
section.wide svg.chart{max-width:760px}
.narrow-only{display:none}
@media (max-width:600px){.wide-only{display:none}.narrow-only{display:block}header,main{padding:10px}section{padding:10px 12px}}
h2{font-size:1.05rem;margin:4px 0 8px}
h3{font-size:.95rem;margin:12px 0 4px}
p.note{color:var(--muted);font-size:.85rem;margin:4px 0}
svg.chart{display:block;width:100%;height:auto;font:13px system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
svg.chart .grid{stroke:var(--line)}
svg.chart .axis{stroke:#9ca3af}
svg.chart .tick,svg.chart .label{fill:#374151}
svg.chart .value{fill:var(--ink);font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.85rem}
.table{overflow-x:auto}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
footer{max-width:1200px;margin:0 auto;padding:8px 16px 24px;color:var(--muted);font-size:.8rem}
`

const num = (n: number) => n.toLocaleString('en-US')

function section(id: string, title: string, body: string, opts: {wide?: boolean; note?: string} = {}): string {
  return `<section id="${esc(id)}"${opts.wide ? ' class="wide"' : ''}><h2>${esc(title)}</h2>${opts.note ? `<p class="note">${esc(opts.note)}</p>` : ''}${body}</section>`
}

function table(head: string[], rows: Array<Array<string | number>>, numeric: boolean[]): string {
  const cell = (v: string | number, i: number, tag: string) => `<${tag}${numeric[i] ? ' class="n"' : ''}>${esc(typeof v === 'number' ? num(v) : v)}</${tag}>`
  return `<div class="table"><table><thead><tr>${head.map((h, i) => cell(h, i, 'th')).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((v, i) => cell(v, i, 'td')).join('')}</tr>`).join('')}</tbody></table></div>`
}

function menuSection(m: MenuStats, i: number): string {
  const parts: string[] = []
  parts.push(`<p class="note">${esc(`${num(m.sessions)} sessions (${num(m.noSummary)} without a summary yet, counted apart); version ${m.version}${m.versions.length > 1 ? `, ${m.versions.length} versions in the log` : ''}.`)}</p>`)
  const nodes = m.nodes.filter((n) => n.calls > 0)
  parts.push('<h3>Calls entering each node</h3>', barChart(`menu-${i}-funnel`, `${m.menu}: calls entering each node`, nodes.map((n) => ({
    label: n.id, value: n.calls, colour: n.abandonRate >= 0.15 ? '#dc2626' : n.abandonRate >= 0.05 ? '#d97706' : '#2563eb',
    tip: `${n.id}: ${num(n.calls)} calls, ${pct(n.abandonRate)} hung up here`,
  })), {format: (p) => {
    const n = nodes.find((x) => x.id === p.label)!
    return n.kind === 'menu' && n.abandoned > 0 ? `${num(n.calls)} · ${pct(n.abandonRate)} hung up` : num(n.calls)
  }}))
  const ends = m.ends
  parts.push('<h3>How calls left the menu</h3>', barChart(`menu-${i}-ends`, `${m.menu}: how calls left the menu`, [
    {label: 'hung up by the menu', value: ends.hangup, colour: '#16a34a'},
    {label: 'transferred', value: ends.transfer, colour: '#0891b2'},
    {label: 'caller hung up', value: ends.abandon, colour: '#dc2626'},
    {label: 'apology', value: ends.apology, colour: '#6b7280'},
    {label: 'no summary yet', value: m.noSummary, colour: '#d1d5db'},
  ], {format: (p) => `${num(p.value)} · ${pct(m.sessions ? p.value / m.sessions : 0)}`}))
  parts.push('<h3>Nodes</h3>', table(['node', 'calls', 'top choice', 'invalid', 'no input', 'hung up here', 'transfers (answered)', 'median time'], m.nodes.filter((n) => n.calls > 0).map((n) => [
    n.id, n.calls, n.choices[0] && n.choices[0].count > 0 ? `${n.choices[0].key} → ${n.choices[0].target ?? '?'} (${pct(n.choices[0].share)})` : '-',
    n.answers ? pct(n.invalidRate) : '-', n.answers ? pct(n.noInputRate) : '-', n.kind === 'menu' ? pct(n.abandonRate) : '-',
    n.transfers ? `${n.transfers} (${n.transfersAnswered})` : '-', n.medianSec === undefined ? '-' : `${n.medianSec} s`,
  ]), [false, true, false, true, true, true, true, true]))
  if (m.paths.length > 0) parts.push('<h3>Top paths</h3>', table(['path', 'calls', 'share'], m.paths.map((p) => [describePath(p), p.count, pct(p.share)]), [false, true, true]))
  return section(`menu-${i}`, `Menu: ${m.menu}`, parts.join(''), {wide: true})
}

export function renderReportHtml(r: ReportData): string {
  const range = r.from && r.to ? `${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}` : 'no sessions'
  const figures = [
    ['sessions', num(r.sessions)], ['answered', `${num(r.answered)} (${pct(r.sessions ? r.answered / r.sessions : 0)})`], ['connected minutes', num(r.minutes)],
    ...(r.cost ? [[`cost (${r.cost.currency})`, r.cost.total.toFixed(2)]] : []),
  ]
  const body: string[] = []
  body.push(section('calls-per-day', 'Calls per day', columnChart('calls-per-day', 'Sessions per day', r.perDay.map((d) => ({label: d.day.slice(5), value: d.sessions, tip: `${d.day}: ${num(d.sessions)} sessions, ${num(d.answered)} answered`})))))
  body.push(section('calls-per-hour', 'Calls per hour of the day', columnChart('calls-per-hour', 'Sessions by hour of the day (local time)', r.perHour.map((v, h) => ({label: pad2(h), value: v})), {colour: '#7c3aed'}), {note: 'Local time of the machine that made this report.'}))
  body.push(section('outcomes', 'Outcomes', barChart('outcomes', 'Sessions by outcome', r.outcomes.map((o) => ({label: o.status, value: o.count, colour: STATUS_COLOUR[o.status] ?? '#6b7280'})), {format: (p) => `${num(p.value)} · ${pct(r.sessions ? p.value / r.sessions : 0)}`})
    + (r.errors.length > 0 ? `<h3>Error codes</h3>${table(['code', 'meaning', 'sessions'], r.errors.map((e) => [e.code, e.meaning ?? '', e.count]), [false, false, true])}` : '')))
  body.push(section('durations', 'Connected duration', columnChart('durations', 'Answered sessions by connected duration', r.durations.map((d) => ({label: d.band, value: d.count})), {colour: '#0891b2'})))
  body.push(section('mos', 'Call quality (MOS)', barChart('mos', 'Sessions by worst MOS over their legs', r.mos.filter((m) => m.count > 0 || m.band !== 'unknown').map((m) => ({label: m.band, value: m.count, colour: MOS_COLOUR[m.band]})), {format: (p) => `${num(p.value)} · ${pct(r.sessions ? p.value / r.sessions : 0)}`}), {note: 'excellent ≥ 4.3, good ≥ 4.0, fair ≥ 3.6, poor ≥ 3.1, bad below.'}))
  if (r.cost) {
    body.push(section('cost', `Cost per day (${r.cost.currency})`, columnChart('cost-per-day', `Cost per day in ${r.cost.currency}`, r.cost.perDay.map((d) => ({label: d.day.slice(5), value: Math.round(d.amount * 100) / 100, tip: `${d.day}: ${d.amount.toFixed(2)} ${r.cost!.currency}`})), {colour: '#059669', unit: r.cost.currency}), {note: `From ${r.cost.files.map((f) => f.split(/[\\/]/).pop()).join(', ')} (the log export).`}))
  }
  r.menus.forEach((m, i) => body.push(menuSection(m, i)))
  if (r.campaign) {
    const c = r.campaign
    body.push(section('campaign', `Campaign: ${c.name}`, barChart('campaign', `Campaign ${c.name}: contacts by outcome`, c.outcomes.map((o) => ({label: o.outcome, value: o.count})), {format: (p) => `${num(p.value)} · ${pct(c.contacts ? p.value / c.contacts : 0)}`}), {wide: true}))
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="ivr report">
<title>${esc(r.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(r.title)}</h1><p>${esc(`${range} · made ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC`)}</p>
<div class="figures">${figures.map(([label, value]) => `<div class="figure"><b>${esc(value)}</b><span>${esc(label)}</span></div>`).join('')}</div></header>
<main>
${body.join('\n')}
</main>
<footer>Made by <code>ivr report --html</code> from the local session store${r.menus.length ? ' and decision log' : ''}. Self-contained: opens without a network.</footer>
</body>
</html>
`
}

export type {Point}

/** What `ivr report` was asked, as the user gave it. */
export interface ReportRequest {
  dataDir: string
  account?: string
  store?: string
  decisions?: string
  since?: string
  until?: string
  /** Menu files whose funnels to add. */
  menus: string[]
  /** Log export CSVs, for cost. */
  logs: string[]
  /** A campaign whose outcomes to add (its journal: the data folder's, or the database at `db`). */
  campaign?: {name: string; db?: string}
  title: string
  now?: Date
  warn?: Warn
}

export async function buildReport(req: ReportRequest): Promise<ReportData> {
  const now = req.now ?? new Date()
  const since = req.since ? parseSince(req.since, now) : undefined
  const until = req.until ? parseSince(req.until, now) : undefined
  if (since && until && until <= since) throw usageError(`--until (${until.toISOString()}) is not after --since (${since.toISOString()}).`, ['Give --until a later time than --since.'])
  const {file: storeFile} = await chooseStore({storeFlag: req.store, dataDir: req.dataDir, account: req.account})
  const sessions = await summarizeSessions(storeFile, {since, until, warn: req.warn})
  const menus: MenuStats[] = []
  for (const file of req.menus) {
    const {menu} = await loadMenuOrThrow(file)
    menus.push(await menuStatsFor({menu, file, dataDir: req.dataDir, account: req.account, decisions: req.decisions, store: req.store, since: req.since, until: req.until, now, warn: req.warn}))
  }
  const cost = req.logs.length > 0 ? costOf(await summarizeFiles(req.logs)) : undefined
  if (req.logs.length > 0 && !cost) req.warn?.(`${req.logs.join(', ')}: no prices found, so the report has no cost section.`)
  const campaign = req.campaign ? await campaignOutcomes(req.dataDir, req.campaign) : undefined
  return {title: req.title, generatedAt: now.toISOString(), ...sessions, menus, ...(cost ? {cost} : {}), ...(campaign ? {campaign} : {})}
}

/**
 * A campaign's contacts by where they ended: each final outcome, then those uncertain (a request
 * that may have placed a call), in progress, and not yet called. Read through the campaign read
 * API (campaign/results.ts), which never claims the campaign: a run may be under way.
 */
async function campaignOutcomes(dataDir: string, which: {name: string; db?: string}): Promise<NonNullable<ReportData['campaign']>> {
  const {readCampaign} = await import('../campaign/results.js')
  const reader = await readCampaign({dataDir, name: which.name, db: which.db})
  try {
    return outcomesOf(which.name, await reader.counts())
  } finally {
    await reader.close()
  }
}

export function outcomesOf(name: string, counts: CampaignCounts): NonNullable<ReportData['campaign']> {
  const outcomes = Object.entries(counts.byOutcome).filter(([, n]) => n > 0).map(([outcome, count]) => ({outcome, count}))
    .sort((a, b) => b.count - a.count || a.outcome.localeCompare(b.outcome))
  for (const [outcome, count] of [['UNCERTAIN', counts.uncertain], ['IN PROGRESS', counts.dialing + counts.live], ['NOT CALLED YET', counts.pending]] as const) {
    if (count > 0) outcomes.push({outcome, count})
  }
  return {name, outcomes, contacts: counts.total}
}
