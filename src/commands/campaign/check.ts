import {CampaignCommand} from '../../cli/campaign-command.js'
import type {CheckReport} from '../../lib/campaign/create.js'
import {ExitCode} from '../../lib/errors.js'

export default class CampaignCheck extends CampaignCommand<typeof CampaignCheck> {
  static override summary = 'Check a campaign again before dialing: every stored contact\'s callflow, the menu, the window; then the plan for who is left.'
  static override examples = ['<%= config.bin %> campaign check reminders']
  static override args = {name: CampaignCommand.nameArg}

  async run(): Promise<CheckReport> {
    const journal = await this.journal(this.args.name)
    const {checkStored} = await import('../../lib/campaign/check.js')
    const {formatCheck} = await import('../../lib/campaign/view.js')
    const report = await checkStored(journal, {knownProfiles: await this.cachedVoiceProfiles()})
    this.status(formatCheck(report, this.errColors))
    const errors = report.problems.filter((p) => p.severity === 'error').length + report.moreProblems
    if (errors > 0) this.exitWithResult(report, ExitCode.INVALID_INPUT, `${this.errColors.red('Error:')} ${errors} error${errors === 1 ? '' : 's'}: fix the content and create the campaign again.`)
    this.status(`Campaign ${journal.name} passes the check.`)
    return report
  }
}
