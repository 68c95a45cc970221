/** The base of the `sessions` commands that read the store: the --store flag and which store is meant. */
import {Flags, type Command} from '@oclif/core'

import {IvrCommand, localAccountBaseFlags} from './base-command.js'
import {chooseStore} from '../lib/sessions/location.js'

export const storeFlag = {
  store: Flags.string({summary: 'Store file (default: the sub-account\'s in the data dir).', env: 'IVR_SESSIONS_STORE'}),
}

export abstract class SessionsCommand<T extends typeof Command> extends IvrCommand<T> {
  // Reads a sub-account's local store and calls no API: no --base-url.
  static override baseFlags = localAccountBaseFlags

  /** The store file meant: --store, else the sub-account's in the data dir (see sessions/location.ts). */
  protected async storeFile(): Promise<string> {
    const storeFlagValue = (this.flags as unknown as {store?: string}).store
    return (await chooseStore({storeFlag: storeFlagValue, dataDir: this.paths.dataDir, account: await this.accountInForce()})).file
  }
}
