import {Flags} from '@oclif/core'

import {IvrCommand, localAccountBaseFlags} from '../cli/base-command.js'
import {dbFlag} from '../cli/campaign-command.js'
import {writeFileAtomic} from '../lib/fs-atomic.js'
import {words} from '../lib/glossary.js'

export default class Report extends IvrCommand<typeof Report> {
  static override summary = 'One self-contained HTML report of calls, outcomes, quality, cost and menu funnels, to open in any browser.'
  static override description = `Reads the local session store (what \`ivr sessions tail\` receives), the decision log of each --menu (what \`ivr serve\` records) and, with --logs, a call-record export (\`ivr logs export\`) for cost. Writes one HTML file with its charts drawn as inline SVG: no script, nothing fetched when it is opened, readable on a phone.

Sections: calls per day and per hour of the day, outcomes with error codes, connected duration and MOS distributions, cost per day (with --logs), for each --menu the calls entering each node, how calls left the menu, the nodes table and the top paths (as \`ivr menu stats\`), and with --campaign that campaign's contacts by outcome. Everything is aggregated before drawing, so a month of a million sessions still makes a small file.` + words('MOS')
  static override examples = [
    '<%= config.bin %> report --html report.html --since 30d',
    '<%= config.bin %> report --html report.html --menu examples/menus/restaurant.yaml --logs calls-2026-11.csv',
    '<%= config.bin %> report --html report.html --campaign reminders --menu examples/campaigns/reminder-menu.yaml',
  ]
  static override baseFlags = {...localAccountBaseFlags, ...dbFlag}
  static override flags = {
    html: Flags.string({summary: 'Write the HTML report to this file.', required: true}),
    since: Flags.string({summary: 'Only sessions since: a span (30m, 1h, 2d, 1w), a day (2026-11-01) or an ISO date-time.'}),
    until: Flags.string({summary: 'Only sessions before: a span back from now, a day or an ISO date-time.'}),
    menu: Flags.string({summary: 'Add the funnel of this menu file (repeatable).', multiple: true}),
    logs: Flags.string({summary: 'A call-record export CSV (`ivr logs export`) for cost per day (repeatable; .csv or .csv.gz).', multiple: true}),
    campaign: Flags.string({summary: 'Add the outcomes of this campaign (`ivr campaign list`): contacts by how they ended.'}),
    title: Flags.string({summary: 'The report\'s title.', default: 'IVR report'}),
    store: Flags.string({summary: "Session store (default: the sub-account's in the data folder).", env: 'IVR_SESSIONS_STORE'}),
    decisions: Flags.string({summary: "Decision log (default: the sub-account's in the data folder).", env: 'IVR_DECISIONS'}),
  }

  async run(): Promise<{file: string; bytes: number; sessions: number; menus: number}> {
    const f = this.flags
    const {buildReport, renderReportHtml} = await import('../lib/analytics/report.js')
    const data = await buildReport({
      dataDir: this.paths.dataDir, account: await this.accountInForce(), store: f.store, decisions: f.decisions,
      since: f.since, until: f.until, menus: f.menu ?? [], logs: f.logs ?? [], title: f.title, warn: (m) => this.warnUser(m),
      ...(f.campaign ? {campaign: {name: f.campaign, db: this.databaseUrl()}} : {}),
    })
    const html = renderReportHtml(data)
    await writeFileAtomic(f.html, html, {mode: 0o644})
    const bytes = Buffer.byteLength(html)
    this.status(`Wrote ${f.html} (${(bytes / 1024).toFixed(0)} KB): ${data.sessions} session${data.sessions === 1 ? '' : 's'}${data.menus.length ? `, ${data.menus.length} menu${data.menus.length === 1 ? '' : 's'}` : ''}${data.cost ? `, cost from ${data.cost.files.length} export file${data.cost.files.length === 1 ? '' : 's'}` : ''}${data.campaign ? `, campaign ${data.campaign.name}` : ''}.`)
    if (data.sessions === 0) this.warnUser('No session summaries in the store for that time: the report is empty. Summaries arrive while `ivr sessions tail` runs.')
    return {file: f.html, bytes, sessions: data.sessions, menus: data.menus.length}
  }
}
