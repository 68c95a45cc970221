/**
 * One receiver writes a store at a time: `<store>.receiver.json` names it (pid, URL). It also
 * tells `send-callflow --wait` whether anything is filling the store it waits on. The claim is
 * taken before the store's bytes are touched (see EventStore.open): a second receiver is refused
 * without reading, repairing or writing anything.
 */
import {claimFile, readClaim} from '../file-claim.js'
import {IvrError, ExitCode} from '../errors.js'

export interface ReceiverInfo {
  pid: number
  url: string
  startedAt: string
}

export interface ReceiverLock {
  /** Says where the receiver listens, once it does. */
  update(info: ReceiverInfo): Promise<void>
  release(): Promise<void>
}

export const lockFileFor = (storeFile: string) => `${storeFile}.receiver.json`

/** The receiver filling this store, if one is running. */
export async function runningReceiver(storeFile: string): Promise<ReceiverInfo | undefined> {
  return readClaim<ReceiverInfo>(lockFileFor(storeFile))
}

/** Claims the store for this process; a stale claim (its process gone) is taken over. */
export async function acquireReceiverLock(storeFile: string, info: ReceiverInfo): Promise<ReceiverLock> {
  const r = await claimFile(lockFileFor(storeFile), info)
  if ('claim' in r) return r.claim
  const other = r.heldBy
  throw new IvrError(`Another receiver (pid ${other.pid}${other.url ? `, ${other.url}` : ''}) is already writing ${storeFile}.`, {
    code: 'STORE_BUSY', exitCode: ExitCode.USAGE,
    suggestions: ['Stop it first, or give this one its own store with --store FILE.'],
  })
}
