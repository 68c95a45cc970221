import {Args, Flags} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../../cli/base-command.js'
import {parseValidUntil} from '../../lib/callflow/request.js'
import type {CallflowRequest} from '../../lib/callflow/types.js'
import {menuStartRequest} from '../../lib/menu/answer.js'
import {loadMenuOrThrow} from '../../lib/menu/files.js'
import {words} from '../../lib/glossary.js'

export default class MenuStart extends IvrCommand<typeof MenuStart> {
  static override baseFlags = localBaseFlags
  static override summary = 'Print the Send Callflow request that calls a number and opens a menu.'
  static override description = `The request is a makeCall from --from (one of your virtual numbers) to --to, followed by the menu's entry node. Its first VCA comes back without a clientActionId, which \`ivr serve\` reads as the entry menu. To send it rather than print it: \`ivr send-callflow --menu MENU --from ... --to ...\`, or pipe this into \`ivr send-callflow -\`.` + words('VCA')
  static override examples = [
    '<%= config.bin %> menu start examples/menus/support-callback.yaml --from +6531591234 --to +6591234567',
    '<%= config.bin %> menu start menu.yaml --from +6531591234 --to +6591234567 | <%= config.bin %> send-callflow - --sandbox',
  ]
  static override args = {
    menu: Args.string({description: 'The menu file (YAML or JSON).', required: true}),
  }
  static override flags = {
    from: Flags.string({summary: 'Caller id: one of the sub-account\'s virtual numbers.', required: true}),
    to: Flags.string({summary: 'The number to call.', required: true}),
    'client-request-id': Flags.string({summary: 'clientRequestId of the request (comes back in the session summary).'}),
    'valid-until': Flags.string({summary: 'Do not start the call after this: a duration (10m, 1h) or a date-time.'}),
    record: Flags.boolean({summary: 'Record the call (makeCall callRecording).'}),
  }

  async run(): Promise<CallflowRequest> {
    const f = this.flags
    const {menu} = await loadMenuOrThrow(this.args.menu)
    const request = menuStartRequest(menu, {
      from: f.from, to: f.to, callRecording: f.record,
      ...(f['client-request-id'] ? {clientRequestId: f['client-request-id']} : {}),
      ...(f['valid-until'] ? {validUntil: parseValidUntil(f['valid-until'], new Date())} : {}),
    })
    this.out(JSON.stringify(request, null, 2))
    return request
  }
}
