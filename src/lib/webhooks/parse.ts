/**
 * Tolerant reading of the webhook bodies the platform POSTs. Real payloads are not tidy (voice-api.md):
 * key casing varies (callA / CallA, SessionId / sessionId), "null" arrives as a string, numbers as
 * strings, optional fields go missing. Nothing here throws on a body: whatever cannot be read is
 * left undefined, and unknown event types are kept raw.
 */
import type {WebhookType} from '../api/types.js'
import type {CallDirection, CallEventPayload, CallLeg, CallQuality, CallType, EventType, SessionSummaryPayload} from './payloads.js'

/**
 * The webhooks the receiver tells apart, by the kind `sessions tail --events` names: the platform's
 * webhook type (WEBHOOK_TYPES) and the eventType its body carries. A body of none of these is 'other'.
 */
export const EVENT_KINDS = {
  vss: {type: 'VSS', eventType: 'SESSION_SUMMARY'},
  vca: {type: 'VCA', eventType: 'CALL_ACTION'},
  vcs: {type: 'VCS', eventType: 'CALL_STATUS'},
} as const satisfies Record<string, {type: WebhookType; eventType: EventType}>

export type EventKind = keyof typeof EVENT_KINDS | 'other'

/** Every kind, 'other' last. */
export const EVENT_KIND_NAMES: readonly EventKind[] = [...(Object.keys(EVENT_KINDS) as Array<keyof typeof EVENT_KINDS>), 'other']

/** A leg as read: every field may be missing. */
export type ReadLeg = Partial<Omit<CallLeg, 'callQuality'>> & {callQuality?: Partial<CallQuality>}

/** A session summary as read: missing fields are undefined, legs come as a list (callA first). */
export interface ReadSummary extends Partial<Omit<SessionSummaryPayload, 'details' | 'errorDetails'>> {
  sessionId?: string
  errorDetails?: {errorMsg?: string; errorCode?: number}
  legs: ReadLeg[]
}

/** A VCA or VCS payload as read; `digits` is eventData.dtmf, made tidy (undefined when none). */
export type ReadCallEvent = Partial<Omit<CallEventPayload, 'eventData'>> & {
  eventType?: string
  eventData?: Record<string, unknown>
  digits?: string
}

export interface ParsedWebhook {
  kind: EventKind
  /** SESSION_SUMMARY, CALL_ACTION, CALL_STATUS, or whatever the body said (upper-cased), or UNKNOWN. */
  eventType: string
  sessionId?: string
  eventId?: string
  summary?: ReadSummary
  call?: ReadCallEvent
  /** The body exactly as given. */
  raw: unknown
}

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const normalize = (key: string) => key.toLowerCase().replace(/[_\-\s]/g, '')
/**
 * Normalized keys, remembered: the receiver looks up the same few dozen keys thousands of times a
 * second, and most misses (an optional field not sent) would otherwise normalize every key again.
 * Bounded, so odd payloads cannot grow it without end.
 */
const normalized = new Map<string, string>()
function norm(key: string): string {
  let n = normalized.get(key)
  if (n === undefined) {
    n = normalize(key)
    if (normalized.size < 4096) normalized.set(key, n)
  }
  return n
}

/** A field by name, whatever its casing or separators (callA, CallA, call_a). */
function field(obj: unknown, name: string): unknown {
  if (!isObj(obj)) return undefined
  if (name in obj) return obj[name]
  const want = norm(name)
  for (const k in obj) if (Object.hasOwn(obj, k) && norm(k) === want) return obj[k]
  return undefined
}

const printableAscii = (c: number) => c > 32 && c < 127

/** "null", "undefined", "" and null all mean absent. */
function present(v: unknown): unknown {
  if (v === null || v === undefined) return undefined
  if (typeof v === 'string') {
    // Longer than "undefined" and not padded: a value (most strings; no trim or regex needed).
    if (v.length > 9 && printableAscii(v.charCodeAt(0)) && printableAscii(v.charCodeAt(v.length - 1))) return v
    const t = v.trim()
    if (t === '' || /^(null|undefined|none|n\/a)$/i.test(t)) return undefined
  }
  return v
}

function str(obj: unknown, name: string): string | undefined {
  const v = present(field(obj, name))
  if (v === undefined) return undefined
  return typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined
}

function num(obj: unknown, name: string): number | undefined {
  const v = present(field(obj, name))
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  if (typeof v === 'string') {
    const n = Number.parseFloat(v.replace(/%$/, ''))
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

function obj(o: unknown, name: string): Obj | undefined {
  let v = present(field(o, name))
  // Some senders double-encode nested objects as JSON strings.
  if (typeof v === 'string' && /^\s*[{[]/.test(v)) {
    try {
      v = JSON.parse(v)
    } catch {
      return undefined
    }
  }
  return isObj(v) ? v : undefined
}

const upper = (s: string | undefined) => s?.toUpperCase()

function kindOf(eventType: string | undefined, payload: unknown): EventKind {
  for (const [kind, k] of Object.entries(EVENT_KINDS)) if (eventType === k.eventType || eventType === k.type) return kind as EventKind
  if (eventType) return 'other'
  // No eventType at all: recognise a bare payload by its fields.
  if (field(payload, 'sessionStatus') !== undefined || field(payload, 'details') !== undefined) return 'vss'
  if (field(payload, 'callStatus') !== undefined) return field(payload, 'eventData') !== undefined || field(payload, 'clientActionId') !== undefined ? 'vca' : 'vcs'
  return 'other'
}

/** The payload of an envelope, or the body itself when it came without one. */
function payloadOf(body: unknown): unknown {
  const p = field(body, 'payload')
  if (isObj(p)) return p
  if (typeof p === 'string') {
    try {
      const parsed = JSON.parse(p)
      if (isObj(parsed)) return parsed
    } catch {
      // not JSON: fall through
    }
  }
  return body
}

function readEnds(o: unknown) {
  return {
    source: str(o, 'source'), destination: str(o, 'destination'),
    sourceFormat: str(o, 'sourceFormat'), destinationFormat: str(o, 'destinationFormat'),
    sourceCountryCode: str(o, 'sourceCountryCode'), destinationCountryCode: str(o, 'destinationCountryCode'),
    sourceRefId: str(o, 'sourceRefId'), destinationRefId: str(o, 'destinationRefId'),
  }
}

function readQuality(o: unknown): Partial<CallQuality> | undefined {
  const q = obj(o, 'callQuality')
  if (!q) return undefined
  const out = dropUndefined<Partial<CallQuality>>({mos: num(q, 'mos'), packetLossRate: num(q, 'packetLossRate') ?? num(q, 'packetLoss'), jitter: num(q, 'jitter')})
  return Object.keys(out).length === 0 ? undefined : out
}

export function readLeg(o: unknown): ReadLeg {
  return dropUndefined({
    callId: str(o, 'callId'),
    callDirection: upper(str(o, 'callDirection')) as CallDirection | undefined,
    callType: upper(str(o, 'callType')) as CallType | undefined,
    initiatedTimestamp: str(o, 'initiatedTimestamp'),
    connectedTimestamp: str(o, 'connectedTimestamp'),
    disconnectedTimestamp: str(o, 'disconnectedTimestamp'),
    ...readEnds(o),
    callStatus: str(o, 'callStatus'),
    callDuration: num(o, 'callDuration'),
    callQuality: readQuality(o),
  })
}

/** A copy without the undefined fields (copying, not deleting, keeps objects in V8's fast mode). */
function dropUndefined<T extends object>(o: T): T {
  const out = {} as T
  for (const k in o) if (o[k] !== undefined) out[k] = o[k]
  return out
}

/** A session summary payload (or a whole VSS envelope) read tolerantly. */
export function readSummary(body: unknown): ReadSummary {
  const p = payloadOf(body)
  const legs: ReadLeg[] = []
  const rawDetails = present(field(p, 'details'))
  if (Array.isArray(rawDetails)) {
    for (const l of rawDetails) if (isObj(l)) legs.push(readLeg(l))
  } else {
    const details = obj(p, 'details')
    for (const name of ['callA', 'callB']) {
      const leg = obj(details, name)
      if (leg) legs.push(readLeg(leg))
    }
  }
  const err = obj(p, 'errorDetails')
  const errorCode = num(err, 'errorCode') ?? num(p, 'errorCode')
  const errorMsg = str(err, 'errorMsg') ?? str(err, 'errorMessage') ?? str(p, 'errorMsg')
  return dropUndefined({
    sessionId: str(p, 'sessionId'),
    subAccountId: str(p, 'subAccountId'),
    sessionStatus: upper(str(p, 'sessionStatus')),
    startTime: str(p, 'startTime'),
    endTime: str(p, 'endTime'),
    lastAction: upper(str(p, 'lastAction')),
    callCount: num(p, 'callCount'),
    clientRequestId: str(p, 'clientRequestId'),
    errorDetails: errorCode === undefined && errorMsg === undefined ? undefined : dropUndefined({errorCode, errorMsg}),
    legs,
  })
}

/**
 * A VCA or VCS payload (or whole envelope) read tolerantly: what the menu server needs
 * (digits, clientActionId, source, destination, callStatus) and the rest of the fields.
 */
export function readCallEvent(body: unknown): ReadCallEvent {
  const p = payloadOf(body)
  const eventData = obj(p, 'eventData')
  const dtmf = present(field(eventData, 'dtmf'))
  return dropUndefined({
    eventType: upper(str(body, 'eventType')),
    eventId: str(p, 'eventId'),
    callId: str(p, 'callId'),
    sessionId: str(p, 'sessionId'),
    subAccountId: str(p, 'subAccountId'),
    callStatus: upper(str(p, 'callStatus')),
    callDirection: upper(str(p, 'callDirection')) as CallDirection | undefined,
    callType: upper(str(p, 'callType')) as CallType | undefined,
    ...readEnds(p),
    callDuration: num(p, 'callDuration'),
    eventData,
    digits: typeof dtmf === 'number' ? String(dtmf) : typeof dtmf === 'string' ? dtmf.trim() : undefined,
    sipCode: num(p, 'sipCode'),
    timestamp: str(p, 'timestamp'),
    clientActionId: str(p, 'clientActionId'),
  })
}

/** Any webhook body: its kind, its ids, and the summary or call event read from it. Never throws. */
export function parseWebhook(body: unknown): ParsedWebhook {
  const declared = upper(str(body, 'eventType') ?? str(body, 'type'))
  const payload = payloadOf(body)
  const kind = kindOf(declared, payload)
  const eventType = kind === 'other' ? declared ?? 'UNKNOWN' : EVENT_KINDS[kind].eventType
  const parsed: ParsedWebhook = {kind, eventType, raw: body}
  if (kind === 'vss') {
    parsed.summary = readSummary(body)
    parsed.sessionId = parsed.summary.sessionId
  } else if (kind === 'vca' || kind === 'vcs') {
    parsed.call = readCallEvent(body)
    parsed.sessionId = parsed.call.sessionId
    parsed.eventId = parsed.call.eventId
  } else {
    parsed.sessionId = str(payload, 'sessionId')
    parsed.eventId = str(payload, 'eventId')
  }
  return dropUndefined(parsed)
}
