import {Args, Flags} from '@oclif/core'

import {CampaignCommand} from '../../cli/campaign-command.js'
import type {CheckReport} from '../../lib/campaign/create.js'
import {ExitCode} from '../../lib/errors.js'

export default class CampaignCreate extends CampaignCommand<typeof CampaignCreate> {
  static override summary = 'Create a campaign: contacts, content, pace and window, checked before anything is dialed.'
  static override description = `Reads the contacts CSV (the number column is found by name: phone, number, to; or give --number-column; every other column is a {{placeholder}}), checks every number, every rendered callflow (or the menu, as \`ivr menu check\`) and the calling window, and prints the plan. Errors refuse: nothing is created. Rows that cannot be called (invalid, duplicate, do-not-call) are skipped and reported by row; with --on-invalid refuse an invalid row refuses the whole list.

The settings can come from a campaign file (--file, YAML or JSON, schemas/campaign.schema.json); flags given beside it win. See docs/campaigns.md.`
  static override examples = [
    '<%= config.bin %> campaign create reminders --contacts examples/campaigns/contacts.csv --menu examples/campaigns/reminder-menu.yaml --from +6531591234 --rate 5 --max-live 20 --window 09:00-20:00 --retry busy,no-answer:2:30m',
    '<%= config.bin %> campaign create --file examples/campaigns/reminders.yaml',
  ]
  static override args = {name: Args.string({description: 'The campaign\'s name (or `name` in --file).'})}
  static override flags = {
    file: Flags.string({char: 'f', summary: 'A campaign file (YAML or JSON) holding these settings.'}),
    contacts: Flags.string({summary: 'The contacts CSV (UTF-8, a header row).'}),
    'number-column': Flags.string({summary: 'The header of the number column (default: phone, number or to).'}),
    menu: Flags.string({summary: 'A menu file: each call opens it (as send-callflow --menu).', exclusive: ['callflow']}),
    callflow: Flags.string({summary: 'A callflow file with {{placeholders}} from the columns, {{to}} and {{from}}.'}),
    from: Flags.string({summary: 'Caller id: one of the sub-account\'s numbers; repeat (or comma-separate) to rotate several.', multiple: true}),
    rate: Flags.string({summary: 'Calls started per second (fractional allowed, e.g. 0.5). Default 1.'}),
    'max-live': Flags.string({summary: 'Most calls live at once. Default 10.'}),
    window: Flags.string({summary: 'Calling window in each callee\'s local time, e.g. 09:00-20:00 or mon-fri 09:00-18:00.'}),
    timezone: Flags.string({summary: 'Zone for numbers whose country does not settle one (IANA name). A timezone column overrides per contact.'}),
    retry: Flags.string({summary: 'Retry policy: STATUSES:RETRIES:DELAY, e.g. busy,no-answer:2:30m (statuses: busy, no-answer, failed).', multiple: true}),
    'do-not-call': Flags.string({summary: 'A file of numbers never to call (one per line).'}),
    'valid-for': Flags.string({summary: 'How long after a request the platform may still start the call (validUntil). Default 2m.'}),
    'live-timeout': Flags.string({summary: 'A call with no summary this long stops counting as live (NO_SUMMARY). Default 15m.'}),
    'price-per-minute': Flags.string({summary: 'Price of a connected minute, for the cost estimate.'}),
    currency: Flags.string({summary: 'Currency of --price-per-minute (for display).'}),
    'on-invalid': Flags.string({summary: 'A row with a bad number: skip it (reported) or refuse the list.', options: ['skip', 'refuse']}),
    force: Flags.boolean({summary: 'Replace a campaign of the same name, if it has dialed nobody.'}),
    'dry-run': Flags.boolean({summary: 'Check and plan only; create nothing.'}),
  }

  async run(): Promise<CheckReport> {
    const f = this.flags
    const {createSettings} = await import('../../lib/campaign/settings-flags.js')
    const {createCampaign} = await import('../../lib/campaign/create.js')
    const {formatCheck} = await import('../../lib/campaign/view.js')
    const opts = await createSettings(this.args.name, f)
    const account = f.sandbox || f.account || this.env.IVR_ACCOUNT ? (await this.credentials().catch(() => undefined))?.account : undefined
    const report = await createCampaign(opts, {
      store: await this.campaignStore(), account, knownProfiles: await this.cachedVoiceProfiles(), accountNumbers: await this.accountNumbers(),
      replace: f.force, dryRun: f['dry-run'],
    })
    const text = formatCheck(report, this.errColors)
    if (text) this.status(text)
    if (report.created) this.status(`Created campaign ${report.name}. Start it with \`ivr campaign run ${report.name}\`${f.sandbox ? ' --sandbox' : ''}.`)
    else if (!f['dry-run']) {
      const errors = report.problems.filter((p) => p.severity === 'error').length + report.moreProblems
      this.exitWithResult(report, ExitCode.INVALID_INPUT, `${this.errColors.red('Error:')} Campaign ${report.name} was not created: ${errors} error${errors === 1 ? '' : 's'} (above). Nothing was dialed.\n  → Fix them and run the same command again; --dry-run checks without creating.`)
    }
    return report
  }

  /** The sub-account's numbers (digits), when an account or the sandbox is at hand; else undefined (not checked). */
  private async accountNumbers(): Promise<Set<string> | undefined> {
    if (!this.flags.sandbox && !this.flags.account && !this.env.IVR_ACCOUNT) return undefined
    try {
      const list = await (await this.api()).listNumbers()
      return new Set(list.numbers.map((n) => n.msisdn.replace(/^\+/, '')))
    } catch {
      this.warnUser('Could not list the sub-account\'s numbers: caller ids were not checked against them.')
      return undefined
    }
  }
}
