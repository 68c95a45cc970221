/** Plain-text lines for a session's timeline and summary: shared by `ivr sandbox sessions|call` and `send-callflow --sandbox --wait`. */
import type {Colors} from '../render/colors.js'
import {safeLine} from '../render/safe.js'
import {mosBand} from '../webhooks/payloads.js'
import type {Timeline, TimelineEvent} from './engine.js'

const ENDED: Record<string, string> = {'max-digits': 'max digits reached', hash: '# pressed', 'digit-timeout': 'digit timeout', 'overall-timeout': 'overall timeout'}

function offset(t: Timeline, at: string): string {
  const s = (Date.parse(at) - Date.parse(t.summary?.startTime ?? t.startedAt)) / 1000
  return `+${s.toFixed(1)}s`.padStart(8)
}

/** One line for an event (without its time), or undefined for events not worth a line. */
export function describeEvent(e: TimelineEvent, c: Colors): string | undefined {
  const leg = e.leg ? `${e.leg} ` : ''
  switch (e.kind) {
    case 'call': {
      const sip = e.sipCode ? c.dim(` (SIP ${e.sipCode})`) : ''
      const initiated = e.to === undefined ? `calling ${safeLine(e.number)}` : `call from ${safeLine(e.number)} to ${safeLine(e.to)}`
      return `${leg}${e.status === 'initiated' ? initiated : e.status}${sip}`
    }
    case 'say': {
      const what = e.role === 'prompt' ? 'prompt' : e.role === 'success' ? 'success message' : e.role === 'failure' ? 'failure message' : 'say'
      return `${what}: ${c.cyan(`"${safeLine(e.text)}"`)}${c.dim(` (${safeLine(e.voiceProfile ?? '')}${e.repetition > 1 ? ` x${e.repetition}` : ''}, ${e.seconds} s)`)}`
    }
    case 'play': {
      return `play ${safeLine(e.fileUrl)}${c.dim(` (${e.seconds} s)`)}`
    }
    case 'waiting': {
      return undefined
    }
    case 'input': {
      return `caller pressed ${c.bold(safeLine(e.keys))}`
    }
    case 'capture': {
      const got = e.valid ? `captured ${c.bold(e.digits ?? '')}` : c.yellow('nothing valid captured')
      return `${got}${c.dim(` (${ENDED[e.ended]}, try ${e.attempt} of ${e.tries})`)}`
    }
    case 'bridge': {
      return `bridged A and B${c.dim(` (${e.seconds} s)`)}`
    }
    case 'webhook': {
      const answer = e.response ? (e.response.status >= 200 && e.response.status < 300 ? c.green(String(e.response.status)) : c.red(String(e.response.status))) : c.red(`failed: ${safeLine(e.error)}`)
      const action = e.type === 'VCA' && e.response && typeof e.response.body === 'object' && e.response.body !== null && 'clientActionId' in e.response.body ? c.dim(` clientActionId ${safeLine((e.response.body as {clientActionId?: unknown}).clientActionId)}`) : ''
      const status = (e.request as {payload?: {callStatus?: string; sessionStatus?: string}} | undefined)?.payload
      const what = status?.callStatus ?? status?.sessionStatus ?? ''
      return `${e.type} ${safeLine(what)} -> ${safeLine(e.url)} ${answer}${c.dim(` (${e.ms} ms${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})`)}${action}`
    }
    case 'hangup': {
      return `hangup ${c.dim(`(${e.by === 'callflow' ? 'by the callflow' : e.by === 'platform' ? 'no more actions' : e.by === 'called-party' ? 'the called party hung up' : 'the caller hung up'})`)}`
    }
    case 'error': {
      return c.red(`error ${e.code}: ${safeLine(e.message)}`)
    }
  }
}

export function formatEventLine(t: Timeline, e: TimelineEvent, c: Colors): string | undefined {
  const d = describeEvent(e, c)
  return d === undefined ? undefined : `${c.dim(offset(t, e.at))}  ${d}`
}

export function formatSummary(t: Timeline, c: Colors): string {
  const s = t.summary
  if (!s) return `Session ${t.sessionId}: ${t.state}`
  const a = s.details.callA
  const status = s.sessionStatus === 'COMPLETED' ? c.green(s.sessionStatus) : c.red(String(s.sessionStatus))
  const parts = [`Session ${s.sessionId}: ${status}`, `last action ${s.lastAction}`, `${a.callDuration} s connected`, `${s.callCount} leg${s.callCount === 1 ? '' : 's'}`]
  if (a.callQuality) parts.push(`MOS ${a.callQuality.mos} (${mosBand(a.callQuality.mos)})`)
  if (s.errorDetails) parts.push(c.red(`error ${s.errorDetails.errorCode}: ${safeLine(s.errorDetails.errorMsg)}`))
  return parts.join(', ')
}

/** The whole timeline, one line per event, then the summary. */
export function formatTimeline(t: Timeline, c: Colors): string {
  const lines: string[] = []
  for (const e of t.events) {
    const line = formatEventLine(t, e, c)
    if (line) lines.push(line)
  }
  lines.push(formatSummary(t, c))
  return lines.join('\n')
}
