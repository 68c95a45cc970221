/**
 * `send-callflow --menu MENU --sandbox`: the menu answers the sandbox's VCA webhooks from this
 * process for the length of the command, so one command runs a whole IVR. The VCA webhook is
 * borrowed under a lease (lease/lease.ts): a kill leaves a lease file `ivr webhooks restore` undoes.
 */
import type {WebhookApi} from '../lease/lease.js'
import {startServing, type StopResult} from '../lease/serving.js'
import type {Menu} from '../menu/model.js'
import {startMenuServer, type AnswerRecorder, type AnswerReport} from '../menu/server.js'

export interface ServedMenu {
  url: string
  /** Stops the server, then restores the previous VCA registration (or removes ours). */
  close(): Promise<StopResult>
}

export interface MenuVcaOptions {
  api: WebhookApi
  configDir: string
  account: string
  baseUrl: string
  pid: number
  onAnswer?: (r: AnswerReport) => void
  /** Keeps each answer (analytics/decisions.ts). */
  record?: AnswerRecorder
}

export async function serveMenuAsVca(menu: Menu, opts: MenuVcaOptions): Promise<ServedMenu> {
  const serving = await startServing({
    start: () => startMenuServer({menu, host: '127.0.0.1', port: 0, onAnswer: opts.onAnswer, record: opts.record}),
    // An auth header on the current registration could not be put back: refused rather than lost.
    lease: {api: opts.api, configDir: opts.configDir, account: opts.account, baseUrl: opts.baseUrl, type: 'VCA', force: true, requireRestorable: true, pid: opts.pid},
  })
  return {url: serving.server.url, close: () => serving.stop()}
}
