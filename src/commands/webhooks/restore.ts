import {Flags} from '@oclif/core'

import {IvrCommand} from '../../cli/base-command.js'
import {usageError} from '../../lib/errors.js'
import {safeLine} from '../../lib/render/safe.js'
import {listLeases, restoreLease, type RestoreResult} from '../../lib/lease/lease.js'

export default class WebhooksRestore extends IvrCommand<typeof WebhooksRestore> {
  static override changesState = true
  static override summary = 'Put back a webhook that `sessions tail --register` replaced, after the receiver stopped without cleaning up.'
  static override description = 'A receiver started with --register records the registration it replaces in a lease file before changing anything, and puts it back when it stops. If it was killed (or crashed), this does it: the previous webhook is registered again, or ours is removed when there was none. A registration someone else changed meanwhile is left alone.'
  static override examples = ['<%= config.bin %> webhooks restore', '<%= config.bin %> webhooks restore --sandbox']
  static override flags = {
    force: Flags.boolean({summary: 'Restore even while the receiver that holds the registration still runs.'}),
  }

  async run(): Promise<{restored: RestoreResult[]}> {
    const creds = await this.credentials()
    const leases = (await listLeases(this.paths.configDir)).filter((l) => l.lease.account === creds.account)
    const elsewhere = (await listLeases(this.paths.configDir)).filter((l) => l.lease.account !== creds.account)
    if (elsewhere.length > 0) this.status(`Also pending for other sub-accounts: ${[...new Set(elsewhere.map((l) => l.lease.account))].join(', ')} (use --account).`)
    if (leases.length === 0) {
      this.status(`Nothing to restore for ${safeLine(creds.account)}.`)
      return {restored: []}
    }
    const running = leases.filter((l) => l.holderRunning)
    if (running.length > 0 && !this.flags.force) {
      throw usageError(`A receiver (pid ${running.map((l) => l.lease.pid).join(', ')}) still holds the ${running.map((l) => l.lease.type).join(', ')} webhook of ${creds.account}; it restores it when it stops.`, ['Stop it with Ctrl-C, or add --force.'])
    }
    const api = await this.api()
    const restored: RestoreResult[] = []
    for (const {file, lease} of leases) {
      if (lease.baseUrl !== creds.baseUrl) this.warnUser(`The lease was made against ${lease.baseUrl}; restoring through ${creds.baseUrl}.`)
      const r = await restoreLease(api, lease, file)
      restored.push(r)
      for (const w of r.warnings) this.warnUser(w)
      this.out(r.action === 'restored' ? `Restored the ${r.type} webhook of ${safeLine(r.account)} → ${safeLine(r.url)}.`
        : r.action === 'deleted' ? `Removed the temporary ${r.type} webhook of ${safeLine(r.account)} (there was none before).`
          : `Left the ${r.type} webhook of ${safeLine(r.account)} as it is (changed meanwhile to ${safeLine(r.url)}).`)
    }
    return {restored}
  }
}
