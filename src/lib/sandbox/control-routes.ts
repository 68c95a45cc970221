/** The sandbox-only endpoints: /sandbox/subaccounts/{id}/... (scripts, sessions, keys, seeding) and export downloads (docs/sandbox.md). */
import type http from 'node:http'

import type {Timeline} from './engine.js'
import {checkPresses, parsePresses} from './engine.js'
import {parseExportDate} from './exports.js'
import {isOutcome} from './magic.js'
import {checkSub, errorBody, fail, MAX_WAIT_MS, objectBody, readBody, type Reply} from './reply.js'
import type {SandboxContext} from './context.js'
import {seedSessions} from './seed.js'
import {DEFAULT_EXPORT_BEHAVIOUR, type ForcedExportOutcome} from './state.js'

export function controlRoutes(ctx: SandboxContext): {
  control(req: http.IncomingMessage, method: string, url: URL, sub: string, rest: string[]): Promise<Reply>
  downloadExport(jobId: string, file: string): Reply
} {
  const {engine, state, now, scheduleSave} = ctx
  function downloadExport(jobId: string, file: string): Reply {
    const m = /^part-(\d+)\.csv$/.exec(file)
    for (const sub of state.subAccountIds()) {
      const job = state.sub(sub).exports[jobId]
      if (!job) continue
      const content = m && job.status === 'succeeded' ? job.files?.[Number(m[1]) - 1] : undefined
      if (content === undefined || (job.expires && Date.parse(job.expires) < now().getTime())) break
      return {status: 200, text: content, headers: {'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${jobId}-${file}"`}}
    }
    return {status: 404, body: errorBody('1404', 'No such export file (cancelled, expired or never made)')}
  }

  async function control(req: http.IncomingMessage, method: string, url: URL, sub: string, rest: string[]): Promise<Reply> {
    checkSub(sub)
    const [what, id, extra] = rest
    if (what === 'destinations' && id && rest.length === 2) {
      if (method === 'GET') return {status: 200, body: {number: id, ...(state.script(sub, id) ?? {})}}
      if (method === 'DELETE') {
        state.setScript(sub, id, {})
        scheduleSave()
        return {status: 200, body: {number: id}}
      }
      if (method === 'PUT' || method === 'POST') {
        const b = objectBody(await readBody(req))
        if (b.outcome !== undefined && b.outcome !== null && !isOutcome(b.outcome)) fail(400, '1001', `outcome must be one of answer, busy, no-answer, failed, no-coverage, tts-failure, file-failure, trunk-capacity, caller-hangup`)
        const presses = b.presses === undefined || b.presses === null ? undefined : typeof b.presses === 'string' || Array.isArray(b.presses) ? parsePresses(b.presses as string | string[]) : fail(400, '1001', 'presses must be a string like "1,2#" or an array of strings')
        const bad = presses && checkPresses(presses)
        if (bad) fail(400, '1001', bad)
        const script = {presses, outcome: (b.outcome ?? undefined) as never, once: b.once === true ? true : undefined}
        state.setScript(sub, id, script)
        scheduleSave()
        return {status: 200, body: {number: id, ...script}}
      }
    }
    if (what === 'sessions' && rest.length === 1 && method === 'GET') return {status: 200, body: {sessions: engine.listSessions(sub)}}
    if (what === 'sessions' && id === 'seed' && rest.length === 2 && method === 'POST') {
      const b = objectBody(await readBody(req))
      const count = b.count ?? 100
      if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 100_000) fail(400, '1001', 'count must be a whole number from 1 to 100000')
      const t = now().getTime()
      const from = typeof b.from === 'string' ? parseExportDate(b.from, false) : t - 7 * 86_400_000
      const to = typeof b.to === 'string' ? parseExportDate(b.to, true) : t
      if (from === undefined || to === undefined || from >= to) fail(400, '1001', 'from and to must be dates (yyyy-MM-dd or date-times), from before to')
      const sources = b.sources === undefined ? undefined : b.sources
      if (sources !== undefined && !(Array.isArray(sources) && sources.length <= 100 && sources.every((x) => typeof x === 'string' && x.length <= 200))) fail(400, '1001', 'sources must be a list of at most 100 strings (caller ids)')
      const created = seedSessions(engine, sub, {count: count as number, from: from!, to: to!, sources: sources as string[] | undefined})
      scheduleSave()
      return {status: 200, body: {created}}
    }
    if (what === 'sessions' && id && rest.length === 2 && method === 'GET') {
      const wait = Math.min(Number(url.searchParams.get('wait') ?? 0) || 0, MAX_WAIT_MS)
      const sinceRaw = url.searchParams.get('since')
      let t = engine.timeline(id)
      if (!t || t.subAccountId !== sub) fail(404, '1404', `No session ${id} in sub-account ${sub}`)
      if (wait > 0 && sinceRaw !== null) t = await engine.waitForChange(id, Number(sinceRaw) || 0, wait)
      else if (wait > 0 && t!.state !== 'ended') {
        // The long-poll's timer is cleared once the session ends: a pending one would keep a finished command alive.
        let timer: NodeJS.Timeout | undefined
        t = await Promise.race([engine.waitForEnd(id), new Promise<Timeline>((r) => (timer = setTimeout(() => r(engine.timeline(id)!), wait).unref()))])
        clearTimeout(timer)
      }
      return {status: 200, body: t}
    }
    if (what === 'sessions' && id && extra === 'digits' && rest.length === 3 && method === 'POST') {
      const b = objectBody(await readBody(req))
      engine.sendDigits(id, typeof b.keys === 'string' ? b.keys.replace(/\s+/g, '') : '')
      return {status: 200, body: {sessionId: id, accepted: b.keys}}
    }
    if (what === 'sessions' && id && extra === 'hangup' && rest.length === 3 && method === 'POST') {
      engine.hangUp(id)
      return {status: 200, body: {sessionId: id, hungUp: true}}
    }
    if (what === 'calls' && rest.length === 1 && method === 'POST') {
      const b = objectBody(await readBody(req))
      if (typeof b.from !== 'string' || typeof b.to !== 'string') fail(400, '1001', 'from and to are required (phone numbers)')
      const presses = typeof b.presses === 'string' || Array.isArray(b.presses) ? (b.presses as string | string[]) : undefined
      const sessionId = engine.startInbound({subAccountId: sub, from: b.from as string, to: b.to as string, presses, interactive: b.interactive === true})
      return {status: 201, body: {sessionId}}
    }
    if (what === 'exports' && id === 'behaviour' && rest.length === 2) {
      const s = state.sub(sub)
      if (method === 'DELETE') s.exportBehaviour = {...DEFAULT_EXPORT_BEHAVIOUR}
      else if (method === 'POST' || method === 'PUT') {
        const b = objectBody(await readBody(req))
        const outcomes = ['succeeded', 'failed', 'error', 'empty']
        if (b.outcome !== undefined && b.outcome !== null && !outcomes.includes(b.outcome as string)) fail(400, '1001', `outcome must be one of ${outcomes.join(', ')}`)
        if (b.rowsPerFile !== undefined && (!Number.isInteger(b.rowsPerFile) || (b.rowsPerFile as number) < 1)) fail(400, '1001', 'rowsPerFile must be a whole number, 1 or more')
        if (b.polls !== undefined && (!Number.isInteger(b.polls) || (b.polls as number) < 0)) fail(400, '1001', 'polls must be a whole number, 0 or more')
        s.exportBehaviour = {
          outcome: (b.outcome ?? s.exportBehaviour.outcome ?? undefined) as ForcedExportOutcome | undefined,
          rowsPerFile: (b.rowsPerFile as number | undefined) ?? s.exportBehaviour.rowsPerFile,
          polls: (b.polls as number | undefined) ?? s.exportBehaviour.polls,
        }
      }
      scheduleSave()
      return {status: 200, body: s.exportBehaviour}
    }
    return {status: 404, body: errorBody('1404', `No such sandbox endpoint: ${method} ${url.pathname}`)}
  }

  return {control, downloadExport}
}

/** The built-in demo responder (POST /sandbox/demo-vca): a one-level menu that says which key was pressed. */
export function demoVcaAnswer(parsed: {ok: boolean; value?: unknown}): unknown {
  const payload: {callStatus?: string; eventData?: {dtmf?: unknown}} = parsed.ok ? ((parsed.value as {payload?: object} | undefined)?.payload ?? {}) : {}
  const voiceProfile = 'en-US-Neural2-C'
  if (payload.callStatus === 'CALL_RECEIVED') {
    return {clientActionId: 'demo-menu', callflow: [{action: 'sayAndCapture', params: {promptMessage: 'Welcome to the ivr sandbox. Press any key.', voiceProfile, minDigits: 1, maxDigits: 1, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 2}}]}
  }
  const dtmf = payload.eventData?.dtmf
  const text = typeof dtmf === 'string' && dtmf !== '' ? `You pressed ${dtmf.split('').join(' ')}. Goodbye.` : 'We did not get your choice. Goodbye.'
  return {clientActionId: 'demo-done', callflow: [{action: 'say', params: {text, voiceProfile}}, {action: 'hangup'}]}
}
