import {Flags} from '@oclif/core'

import {WEBHOOK_TYPES, type Webhook} from '../../lib/api/types.js'
import {IvrCommand} from '../../cli/base-command.js'
import {safeLine} from '../../lib/render/safe.js'
import {readSecretFromStdin} from '../../lib/stdin.js'
import {checkWebhookUrl, createWebhook, parseWebhookType} from '../../lib/webhooks/registration.js'
import {words} from '../../lib/glossary.js'

export default class WebhooksCreate extends IvrCommand<typeof WebhooksCreate> {
  static override changesState = true
  static override summary = 'Register a webhook (replaces the one of the same type).'
  static override description = 'The platform keeps one webhook per type per sub-account; this says which registration it replaced. An auth header (sent back by the platform as Authorization) is read from stdin, never from the command line.' + words('VCA', 'VSS', 'VCS')
  static override examples = [
    '<%= config.bin %> webhooks create --type VCA --url https://ivr.example.com/vca',
    'printf %s "$SECRET" | <%= config.bin %> webhooks create --type VSS --url https://ivr.example.com/vss --auth-header-stdin',
  ]
  static override flags = {
    type: Flags.string({summary: 'Webhook type.', options: [...WEBHOOK_TYPES], required: true}),
    url: Flags.string({summary: 'Where the platform POSTs (http or https).', required: true}),
    'auth-header-stdin': Flags.boolean({summary: 'Read the value the platform sends as Authorization from stdin.'}),
    disabled: Flags.boolean({summary: 'Register it disabled.'}),
  }

  async run(): Promise<{webhooks: Webhook[]; replaced?: Webhook}> {
    const type = parseWebhookType(this.flags.type)
    const check = checkWebhookUrl(this.flags.url, {sandbox: this.flags.sandbox})
    for (const w of check.warnings) this.warnUser(w)
    const httpAuthHeader = this.flags['auth-header-stdin'] ? await readSecretFromStdin(process.stdin, 'The auth header') : undefined
    const api = await this.api()
    const result = await createWebhook(api, {type, url: check.url, httpAuthHeader, enabled: !this.flags.disabled})
    this.out(`Registered ${type} → ${safeLine(check.url)}${this.flags.disabled ? ' (disabled)' : ''}${httpAuthHeader ? ' with an auth header' : ''}.`)
    if (result.replaced) this.status(`Replaced the previous ${type} webhook: ${safeLine(result.replaced.url)}`)
    return result
  }
}
