/**
 * Fidelity: every response of the sandbox has a status the 8x8 spec lists for its operation and a
 * body the spec's response schema accepts, and every webhook body has the shapes of
 * src/lib/webhooks/payloads.ts. The schemas are test/contract/voice-api-responses.json, written
 * from 8x8's OpenAPI file by scripts/contract-schema.js and kept in the repository, so this runs
 * on every clone.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {expect} from 'chai'

import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {waitForSession} from '../../../src/lib/sandbox/control.js'
import {SESSION_STATUSES} from '../../../src/lib/webhooks/payloads.js'
import {projectRoot} from '../../helpers/run.js'
import {checkSchema, type Schema} from '../../helpers/schema-check.js'
import {capture, request, TestReceiver} from './receiver.js'

interface ContractFile {prefix: string; operations: Record<string, Record<string, {schema?: Schema; examples?: unknown[]}>>}
const CONTRACT: ContractFile = JSON.parse(readFileSync(path.join(projectRoot, 'test', 'contract', 'voice-api-responses.json'), 'utf8'))

interface Exchange {op: string; method: string; status: number; body: unknown}

describe('sandbox contract: responses against the 8x8 spec\'s response schemas', function () {
  let sb: RunningSandbox
  let rx: TestReceiver
  const exchanges: Exchange[] = []

  before(async function () {
    sb = await startSandbox({retryDelaysMs: [1]})
    rx = await new TestReceiver().start()
    const call = async (method: string, op: string, concrete: string, body?: unknown, opts: {key?: string | null; sub?: string; raw?: string} = {}) => {
      const headers: Record<string, string> = {'content-type': 'application/json'}
      if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? sb.apiKey}`
      const res = await fetch(`${sb.baseUrl}/api/v1/subaccounts/${opts.sub ?? 'sandbox'}${concrete}`, {method, headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body))})
      const text = await res.text()
      const parsed = text ? JSON.parse(text) : undefined
      exchanges.push({op, method, status: res.status, body: parsed})
      return parsed
    }
    rx.handler = (r) => (r.path === '/vca' ? {body: {callflow: [{action: 'say', params: {text: 'Bye', voiceProfile: 'en-US-Neural2-C'}}, {action: 'hangup'}]}} : undefined)
    await call('POST', '/webhooks', '/webhooks', {type: 'VCA', url: `${rx.url}/vca`, httpAuthHeader: 'Basic x'})
    await call('POST', '/webhooks', '/webhooks', {type: 'VSS', url: `${rx.url}/vss`})
    await call('POST', '/webhooks', '/webhooks', {type: 'VCS', url: `${rx.url}/vcs`})
    await call('POST', '/webhooks', '/webhooks', {type: 'NOPE', url: 'x'})
    await call('GET', '/webhooks', '/webhooks')
    await call('GET', '/webhooks', '/webhooks', undefined, {key: 'wrong'})
    await call('GET', '/speech-profiles', '/speech-profiles')
    const created = await call('POST', '/callflows', '/callflows', {...request('+6591234567', capture()), validUntil: new Date(Date.now() + 3_600_000).toISOString()})
    await call('POST', '/callflows', '/callflows', {callflow: [{action: 'hangup'}]})
    await call('POST', '/callflows', '/callflows', undefined, {raw: ''})
    await call('POST', '/callflows', '/callflows', request('+6591234567', {action: 'hangup'}), {key: null})
    await call('POST', '/callflows', '/callflows', request('+6591234567', {action: 'hangup'}), {sub: 'x'})
    await waitForSession({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: 'sandbox'}, created.sessionId)
    for (const m of ['+12025550101', '+12025550104']) {
      const s = await call('POST', '/callflows', '/callflows', request(m, {action: 'hangup'}))
      await waitForSession({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: 'sandbox'}, s.sessionId)
    }
    await call('DELETE', '/webhooks/{webhook-type}', '/webhooks/VCS')
    await call('DELETE', '/webhooks/{webhook-type}', '/webhooks/VCS')
    await call('POST', '/recording-push-config', '/recording-push-config', {protocol: 'ftp', host: 'ftp.example.com', username: 'u', password: 'p'})
    await call('POST', '/recording-push-config', '/recording-push-config', {protocol: 'gopher', host: 'x'})
    await call('GET', '/recording-push-config', '/recording-push-config')
    await call('DELETE', '/recording-push-config', '/recording-push-config')
    await call('GET', '/recording-push-config', '/recording-push-config')
    await call('GET', '/recordings/{sessionId}', `/recordings/${created.sessionId}`)
    await call('GET', '/recordings/{sessionId}', '/recordings/no-such-session')
    await call('GET', '/numbers', '/numbers')
    await call('GET', '/numbers/{number}', '/numbers/6531591234')
    await call('GET', '/numbers/{number}', '/numbers/6599999999')
    const job = await call('POST', '/messages/exports', '/messages/exports', {})
    for (let i = 0; i < 3; i++) await call('GET', '/messages/exports/{jobId}', `/messages/exports/${job.jobId}`)
    await call('GET', '/messages/exports/{jobId}', '/messages/exports/unknown')
    const job2 = await call('POST', '/messages/exports', '/messages/exports', {})
    await call('DELETE', '/messages/exports/{jobId}', `/messages/exports/${job2.jobId}`)
    await call('GET', '/messages/exports/{jobId}', `/messages/exports/${job2.jobId}`)
    await call('DELETE', '/messages/exports/{jobId}', '/messages/exports/unknown')
  })

  after(async () => {
    await sb?.close()
    await rx?.close()
  })

  it('covers all 14 operations of the spec', () => {
    const ops = new Set(exchanges.map((e) => `${e.method} ${e.op}`))
    expect(Object.keys(CONTRACT.operations)).to.have.length(14)
    expect([...ops].sort()).to.deep.equal(Object.keys(CONTRACT.operations).sort())
    // The sandbox's route table is keyed by the spec's own operations: one entry each, no more.
    expect([...sb.operations].sort()).to.deep.equal(Object.keys(CONTRACT.operations).sort())
  })

  it('answers every exchange with a status the spec lists and a body its schema accepts', () => {
    const problems: string[] = []
    for (const e of exchanges) {
      const res = CONTRACT.operations[`${e.method} ${e.op}`]?.[String(e.status)]
      if (!res) {
        problems.push(`${e.method} ${e.op}: status ${e.status} is not in the spec`)
        continue
      }
      if (res.schema) for (const p of checkSchema(CONTRACT, res.schema, e.body)) problems.push(`${e.method} ${e.op} ${e.status}: ${p.path} ${p.message}`)
    }
    expect(problems).to.deep.equal([])
  })

  it('the schemas accept the spec\'s own examples, and the checker catches a wrong body (so the test above can fail)', () => {
    const problems: string[] = []
    for (const [op, responses] of Object.entries(CONTRACT.operations)) {
      for (const [status, res] of Object.entries(responses)) {
        if (!res.schema) continue
        for (const ex of res.examples ?? []) for (const p of checkSchema(CONTRACT, res.schema, ex)) problems.push(`${op} ${status} example: ${p.path} ${p.message}`)
      }
    }
    expect(problems).to.deep.equal([])
    const schema = CONTRACT.operations['POST /callflows']['200'].schema!
    expect(checkSchema(CONTRACT, schema, {sessionStatus: 'CREATED', statusCode: '1'}).map((p) => p.path)).to.include.members(['$.sessionId', '$.statusCode'])
  })

  describe('webhook bodies match src/lib/webhooks/payloads.ts', () => {
    const str = (v: unknown) => typeof v === 'string'
    const strOrNull = (v: unknown) => v === null || v === undefined || typeof v === 'string'
    const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
    const ENDS = {source: str, destination: str, sourceFormat: str, destinationFormat: str, sourceCountryCode: str, destinationCountryCode: str, sourceRefId: strOrNull, destinationRefId: strOrNull}
    const EVENT = {...ENDS, eventId: str, callId: str, sessionId: str, subAccountId: str, callStatus: str, callDirection: (v: unknown) => v === 'INBOUND' || v === 'OUTBOUND', callType: (v: unknown) => v === 'PSTN' || v === 'VOIP', callDuration: num, timestamp: (v: unknown) => str(v) && !Number.isNaN(Date.parse(v as string)), clientActionId: strOrNull}
    const LEG = {...ENDS, callId: str, callDirection: str, callType: str, initiatedTimestamp: str, connectedTimestamp: strOrNull, disconnectedTimestamp: str, callStatus: str, callDuration: num}
    const shapeProblems = (obj: unknown, shape: Record<string, (v: unknown) => boolean>, where: string) => {
      const o = (obj ?? {}) as Record<string, unknown>
      return Object.entries(shape).filter(([k, ok]) => !ok(o[k])).map(([k]) => `${where}.${k} = ${JSON.stringify(o[k])}`)
    }

    it('VCA and VCS', () => {
      const bodies = [...rx.of('/vca'), ...rx.of('/vcs')].map((r) => r.body)
      expect(bodies.length).to.be.at.least(4)
      const problems = bodies.flatMap((b, i) => [
        ...(b.namespace === 'VOICE' && (b.eventType === 'CALL_ACTION' || b.eventType === 'CALL_STATUS') ? [] : [`#${i} envelope`]),
        ...shapeProblems(b.payload, EVENT, `#${i}.payload`),
      ])
      expect(problems).to.deep.equal([])
      expect(rx.of('/vca')[0].body.payload.eventData).to.have.property('dtmf')
      // As 8x8's Voice Call Action example: the description, and the answered leg's SIP code.
      expect(rx.of('/vca')[0].body).to.include({description: 'Action request of a call'})
      expect(rx.of('/vca')[0].body.payload.sipCode).to.equal(200)
    })

    it('VSS', () => {
      const bodies = rx.of('/vss').map((r) => r.body)
      expect(bodies).to.have.length(3)
      const problems = bodies.flatMap((b, i) => [
        // 8x8's IVR session summary: `version` is an integer (5 in its example).
        ...(b.eventType === 'SESSION_SUMMARY' && b.namespace === 'VOICE' && b.version === 5 ? [] : [`#${i} envelope`]),
        ...shapeProblems(b.payload, {sessionId: str, subAccountId: str, sessionStatus: (v) => (SESSION_STATUSES as readonly unknown[]).includes(v), startTime: str, endTime: str, lastAction: (v) => ['MAKE_CALL', 'SAY', 'SAY_AND_CAPTURE', 'PLAY_FILE', 'HANGUP'].includes(v as string), callCount: num}, `#${i}.payload`),
        ...shapeProblems(b.payload.details!.callA, LEG, `#${i}.callA`),
        ...(b.payload.sessionStatus === 'ERROR' && !(num(b.payload.errorDetails?.errorCode) && str(b.payload.errorDetails?.errorMsg)) ? [`#${i} errorDetails`] : []),
      ])
      expect(problems).to.deep.equal([])
    })
  })
})
