import type {VoiceApi} from '../api/client.js'
import type {Recording, RecordingPushConfig, RecordingPushConfigRequest} from '../api/types.js'
import {ApiError} from '../api/errors.js'
import {ExitCode, IvrError, invalidInput} from '../errors.js'

/** Protocols the push destination may use: ftp and sftp (the digest), S3 (the spec's own example; sent as `S3`). */
export const PUSH_PROTOCOLS = ['ftp', 'sftp', 's3'] as const
const DEFAULT_PORTS: Record<string, number> = {ftp: 21, sftp: 22}

/** The push destination as shown to people and in --json: the password only as set / not set. */
export interface PushConfigView {
  configured: boolean
  protocol?: string
  host?: string
  port?: number
  username?: string
  path?: string
  passwordSet: boolean
}

/** What the API said, without anything secret: a `password` field, should one ever come back, is dropped. */
export function viewOf(res: RecordingPushConfig | undefined): PushConfigView {
  const r = (res ?? {}) as RecordingPushConfig & Record<string, unknown>
  const host = typeof r.host === 'string' && r.host !== '' ? r.host : undefined
  const port = typeof r.port === 'number' ? r.port : typeof r.port === 'string' && /^\d+$/.test(r.port) ? Number(r.port) : undefined
  return {
    configured: host !== undefined,
    protocol: typeof r.protocol === 'string' && r.protocol ? r.protocol : undefined,
    host,
    port,
    username: typeof r.username === 'string' && r.username ? r.username : undefined,
    path: typeof r.path === 'string' && r.path ? r.path : undefined,
    passwordSet: r.passwordSet === true || (r.passwordSet as unknown) === 'true',
  }
}

/** The current destination; "nothing configured" (404 or an empty answer) is a normal state, not an error. */
export async function readPushConfig(api: Pick<VoiceApi, 'getRecordingPushConfig'>): Promise<PushConfigView> {
  try {
    return viewOf(await api.getRecordingPushConfig())
  } catch (error) {
    if (error instanceof ApiError && error.exitCode === ExitCode.NOT_FOUND && error.httpStatus === 404) return viewOf(undefined)
    throw error
  }
}

export interface PushConfigChanges {
  protocol?: string
  host?: string
  port?: number
  username?: string
  path?: string
}

/**
 * The body of a `set`: the changes over what is configured now (so `--host` alone moves only the host),
 * checked here so a typo is a clear message rather than a 422. The password is never merged: the API
 * cannot return it, so it is sent only when given now.
 */
export function buildPushConfig(current: PushConfigView, changes: PushConfigChanges, password: string | undefined): RecordingPushConfigRequest {
  const protocol = (changes.protocol ?? current.protocol)?.trim().toLowerCase()
  if (!protocol) throw invalidInput('No protocol: give --protocol ftp or --protocol sftp.', [], 'BAD_PUSH_CONFIG')
  if (!(PUSH_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw invalidInput(`--protocol "${protocol}" is not supported.`, [`Use one of: ${PUSH_PROTOCOLS.join(', ')}.`], 'BAD_PUSH_CONFIG')
  }
  let host = (changes.host ?? current.host)?.trim()
  if (!host) throw invalidInput('No host: give --host (a host name or IP address).', [], 'BAD_PUSH_CONFIG')
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host)
  if (scheme) throw invalidInput(`--host "${host}" holds a URL; give the host name only.`, [`e.g. --protocol ${scheme[1].toLowerCase()} --host ${host.slice(scheme[0].length).split(/[/:]/)[0]}`], 'BAD_PUSH_CONFIG')
  if (/[\s/@]/.test(host)) throw invalidInput(`--host "${host}" is not a host name.`, ['Give the user with --user and the folder with --path.'], 'BAD_PUSH_CONFIG')
  host = host.toLowerCase()
  const protocolChanged = changes.protocol !== undefined && current.protocol !== undefined && changes.protocol.toLowerCase() !== current.protocol.toLowerCase()
  // A port that was only the old protocol's default follows the protocol.
  const inheritedPort = protocolChanged && current.port === DEFAULT_PORTS[current.protocol!.toLowerCase()] ? undefined : current.port
  const port = changes.port ?? inheritedPort ?? DEFAULT_PORTS[protocol]
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) throw invalidInput(`--port ${port} is not a port (1-65535).`, [], 'BAD_PUSH_CONFIG')
  const username = (changes.username ?? current.username)?.trim()
  const path = (changes.path ?? current.path)?.trim()
  // 8x8 spells S3 in capitals (its request example and its docs); ftp and sftp as its answers show them.
  const body: RecordingPushConfigRequest = {protocol: protocol === 's3' ? 'S3' : protocol, host}
  if (port !== undefined) body.port = port
  if (username) body.username = username
  if (password !== undefined && password !== '') body.password = password
  if (path) body.path = path
  return body
}

/** Recordings of one session; none (404 or an empty list) is an exit-5 "not found". */
export async function recordingsOf(api: Pick<VoiceApi, 'getRecordings'>, sessionId: string): Promise<Recording[]> {
  const id = sessionId.trim()
  if (!id || /[\s/?#]/.test(id)) throw invalidInput(`"${sessionId}" is not a session id.`, ['Session ids come from `ivr send-callflow` or `ivr sessions list`.'], 'BAD_SESSION_ID')
  const none = () => new IvrError(`No recordings for session ${id}.`, {
    code: 'NO_RECORDINGS', exitCode: ExitCode.NOT_FOUND,
    suggestions: ['Recording happens only when the makeCall action sets callRecording; check the session id with `ivr sessions show`.'],
  })
  try {
    const res = await api.getRecordings(id)
    const list = Array.isArray(res?.recordings) ? res.recordings : []
    if (list.length === 0) throw none()
    return list
  } catch (error) {
    if (error instanceof IvrError && error.code === 'NOT_FOUND') throw none()
    throw error
  }
}

/** The destination for people, one field a line; the password only as set / not set. */
export function renderPushConfig(v: PushConfigView, safe: (s: unknown) => string): string {
  if (!v.configured) return 'No recording push destination is configured.'
  return [
    `Protocol:  ${safe(v.protocol ?? '')}`,
    `Host:      ${safe(v.host)}`,
    `Port:      ${v.port ?? ''}`,
    `User:      ${safe(v.username ?? '')}`,
    `Path:      ${safe(v.path ?? '')}`,
    `Password:  ${v.passwordSet ? 'set' : 'not set'}`,
  ].join('\n')
}
