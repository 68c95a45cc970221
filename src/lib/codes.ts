/**
 * The one table of 8x8 Voice codes: synchronous status codes of Send Callflow (-1xxx, 1)
 * and asynchronous session error codes carried in a VSS's errorDetails (-2xxx, -9999).
 * Shared by the callflow validator, `ivr codes`, session summaries and the sandbox.
 */
export type CodeKind = 'status' | 'session-error'

export interface CodeInfo {
  code: number
  kind: CodeKind
  /** The platform's own short meaning. */
  meaning: string
  /** What it usually means for the person who sent the callflow, and what to do. */
  explanation: string
}

const table: CodeInfo[] = [
  {code: 1, kind: 'status', meaning: 'Created', explanation: 'The callflow was accepted and a session was created.'},
  {code: -1001, kind: 'status', meaning: 'Invalid JSON request body', explanation: 'The request body is not valid JSON (or the file is not valid JSON/YAML). Fix the syntax at the reported line and column.'},
  {code: -1002, kind: 'status', meaning: 'Speech profile or language invalid', explanation: 'voiceProfile names a profile the platform does not know. List valid ones with `ivr profiles list`.'},
  {code: -1003, kind: 'status', meaning: 'Valid maxDigits required when minDigits given', explanation: 'A sayAndCapture sets minDigits; it must also set maxDigits (>= minDigits, <= 25).'},
  {code: -1004, kind: 'status', meaning: 'DTMF callback URL not provided', explanation: 'A sayAndCapture sends the digits to the VCA webhook, and none is registered. Register one with `ivr webhooks create --type VCA --url URL`.'},
  {code: -1005, kind: 'status', meaning: 'Valid overallTimeout required when digitTimeout given', explanation: 'A sayAndCapture sets digitTimeout with an invalid overallTimeout (0, negative, not a number): give a valid one. When overallTimeout is left out altogether, ivr only warns: 8x8\'s own Send Callflow example sets digitTimeout without overallTimeout, so the platform evidently accepts it and uses its default (5000 ms per the API reference, 30000 ms per the guides).'},
  {code: -1006, kind: 'status', meaning: 'overallTimeout must be greater than digitTimeout', explanation: 'Make overallTimeout at least as long as digitTimeout (8x8 examples use equal values).'},
  {code: -1007, kind: 'status', meaning: 'Invalid action type', explanation: 'Each action must be one of: makeCall, say, sayAndCapture, playFile, hangup (case-sensitive).'},
  {code: -1008, kind: 'status', meaning: 'Valid maxDigits required when completeOnHash is false', explanation: 'Without # to end input, the platform needs maxDigits to know when the caller is done.'},
  {code: -1009, kind: 'status', meaning: 'Invalid callflow entry', explanation: 'A required parameter is missing or has the wrong type or range; the JSON path says which.'},
  {code: -1010, kind: 'status', meaning: 'Some actions beyond the allowed count', explanation: 'A callflow may hold at most 2 makeCall actions (the second bridges a new leg).'},
  {code: -1011, kind: 'status', meaning: 'Multiple destination phone numbers in the request', explanation: 'A makeCall takes exactly one destination number.'},
  {code: -1012, kind: 'status', meaning: 'Incorrect use of action hangup', explanation: 'hangup must be the last action, and must not directly follow a sayAndCapture (the digits would be ignored).'},
  {code: -1013, kind: 'status', meaning: 'First action must be makeCall', explanation: 'A Send Callflow request starts a call: its first action must be makeCall. (VCA responses have no such rule.)'},
  {code: -1014, kind: 'status', meaning: 'Source or caller id not allowed', explanation: 'The makeCall source must be a number whitelisted for the sub-account, usually one of its virtual numbers (`ivr numbers list`).'},
  {code: -1015, kind: 'status', meaning: 'Validity period (validUntil) has expired', explanation: 'validUntil is in the past. Use a future time, e.g. `--valid-until 10m`.'},
  {code: -1016, kind: 'status', meaning: 'Special characters not accepted', explanation: 'A text holds characters the platform refuses (control characters and the like). Remove them.'},
  {code: -1017, kind: 'status', meaning: 'Invalid MSISDN format in destination', explanation: 'Phone numbers must be in E.164 form: country code then number, e.g. +6591234567 (the + is optional).'},
  {code: -1018, kind: 'status', meaning: 'Scenario action not allowed', explanation: 'Scenario actions are not used by IVR callflows.'},
  {code: -1019, kind: 'status', meaning: 'Scenario parameters invalid', explanation: 'Scenario actions are not used by IVR callflows.'},
  {code: -1020, kind: 'status', meaning: 'Scenario not found', explanation: 'Scenario actions are not used by IVR callflows.'},
  {code: -2001, kind: 'session-error', meaning: 'Internal error', explanation: 'The platform failed while running the session. Retry later; report the session id to 8x8 if it persists.'},
  {code: -2002, kind: 'session-error', meaning: 'Internal connectivity error', explanation: 'The platform could not reach one of its own services. Retry later.'},
  {code: -2003, kind: 'session-error', meaning: 'Callflow invalid', explanation: 'A callflow (often a VCA webhook answer) was invalid or could not be obtained; check your webhook server answered 200 with a valid {callflow}.'},
  {code: -2004, kind: 'session-error', meaning: 'No coverage for the requested area', explanation: 'The destination is in an area the platform does not reach from this account.'},
  {code: -2005, kind: 'session-error', meaning: 'TTS failed', explanation: 'Text-to-speech failed for a say/sayAndCapture; check the text and voiceProfile.'},
  {code: -2006, kind: 'session-error', meaning: 'File download for playback failed', explanation: 'The playFile URL could not be fetched (reachable? http(s)? mp3 or wav under 5 MB?).'},
  {code: -2007, kind: 'session-error', meaning: 'Validity period expired', explanation: 'The session could not start before validUntil.'},
  {code: -2008, kind: 'session-error', meaning: 'Source/caller id not whitelisted', explanation: 'The caller id is not allowed for this sub-account.'},
  {code: -2009, kind: 'session-error', meaning: 'Scenario parameters invalid', explanation: 'Scenario actions are not used by IVR callflows.'},
  {code: -2010, kind: 'session-error', meaning: 'Trunk capacity exceeded', explanation: 'Too many concurrent calls for the account; retry later or ask 8x8 for more capacity.'},
  {code: -9999, kind: 'status', meaning: 'Unknown error', explanation: 'The platform gave no specific reason. Retry; report the request id to 8x8 if it persists.'},
]

const byCode = new Map(table.map((c) => [c.code, c]))

export function lookupCode(code: number | string | undefined | null): CodeInfo | undefined {
  if (code === undefined || code === null || code === '') return undefined
  const n = typeof code === 'number' ? code : Number(String(code).trim())
  return Number.isFinite(n) ? byCode.get(n) : undefined
}

export function allCodes(): readonly CodeInfo[] {
  return table
}
