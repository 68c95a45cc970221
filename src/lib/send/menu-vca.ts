/**
 * `send-callflow --menu MENU --sandbox`: the menu answers the sandbox's VCA webhooks from this
 * process for the length of the command, so one command runs a whole IVR. The VCA registration
 * that was there before is put back afterwards.
 */
import type {VoiceApi} from '../api/client.js'
import type {Webhook} from '../api/types.js'
import type {Menu} from '../menu/model.js'
import {startMenuServer, type AnswerRecorder, type AnswerReport} from '../menu/server.js'
import {usageError} from '../errors.js'
import {safeLine} from '../render/safe.js'

export interface ServedMenu {
  url: string
  /** Restores the previous VCA registration (or removes ours) and stops the server. */
  close(): Promise<void>
}

export async function serveMenuAsVca(api: VoiceApi, menu: Menu, opts: {onAnswer?: (r: AnswerReport) => void; record?: AnswerRecorder} = {}): Promise<ServedMenu> {
  const previous: Webhook | undefined = (await api.listWebhooks()).webhooks?.find((w) => String(w.type).toUpperCase() === 'VCA')
  if (previous?.httpAuthHeaderAvailable) {
    // Its auth header cannot be read back, so it could not be put back as it was.
    throw usageError(`The sandbox already has a VCA webhook with an auth header (${safeLine(previous.url)}); --menu would replace it and could not restore the header.`, [
      'Delete it first (`ivr webhooks delete VCA --sandbox --yes`), or serve the menu yourself with `ivr serve MENU` and send without --menu.',
    ])
  }
  const server = await startMenuServer({menu, host: '127.0.0.1', port: 0, onAnswer: opts.onAnswer, record: opts.record})
  try {
    await api.createWebhook({type: 'VCA', url: server.url, enabled: true})
  } catch (error) {
    await server.close()
    throw error
  }
  return {
    url: server.url,
    async close() {
      try {
        if (previous) await api.createWebhook({type: 'VCA', url: previous.url, enabled: previous.enabled !== false})
        else await api.deleteWebhook('VCA')
      } finally {
        await server.close()
      }
    },
  }
}
