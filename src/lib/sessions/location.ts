/** Which store file a `sessions` command uses: --store, else the sub-account's, else the only one there is. */
import path from 'node:path'

import {usageError} from '../errors.js'
import {listStoreFiles, storeFileFor} from './store.js'

export interface StoreChoice {
  file: string
  /** The sub-account whose store it is, when known. */
  subAccountId?: string
}

/**
 * `account` is the sub-account in force (flag, env, the sandbox's, or the stored default), if any.
 * Without one: the only store in the data dir, or `default.ndjson` when there is none yet.
 */
export async function chooseStore(opts: {storeFlag?: string; dataDir: string; account?: string}): Promise<StoreChoice> {
  if (opts.storeFlag) return {file: path.resolve(opts.storeFlag)}
  if (opts.account) return {file: storeFileFor(opts.dataDir, opts.account), subAccountId: opts.account}
  const files = await listStoreFiles(opts.dataDir)
  if (files.length === 1) return files[0]
  if (files.length === 0) return {file: storeFileFor(opts.dataDir, 'default'), subAccountId: 'default'}
  throw usageError(`There are stores for several sub-accounts (${files.map((f) => f.subAccountId).join(', ')}) and none is chosen.`, [
    'Choose one with --account ID (or IVR_ACCOUNT), or name a file with --store FILE.',
  ])
}
