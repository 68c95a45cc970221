import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {EventStore} from '../../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {exitCodeForSummary, waitForSummary} from '../../../src/lib/sessions/wait.js'
import type {VssWebhook} from '../../../src/lib/webhooks/payloads.js'
import {vss} from '../webhooks/fixtures.js'

const event = (body: unknown) => makeStoredEvent(parseWebhook(body), {bodyText: JSON.stringify(body)})

describe('sessions/wait: waiting for a session summary', () => {
  let dir: string
  let file: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-wait-'))
    file = path.join(dir, 'w.ndjson')
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it('finds a summary already stored', async () => {
    const store = await EventStore.open(file)
    await store.append(event(vss('old')))
    await store.append(event(vss('mine', {sessionStatus: 'BUSY'})))
    await store.close()
    const ev = await waitForSummary({file, sessionId: 'mine', timeoutMs: 2000})
    expect((ev?.body as VssWebhook).payload.sessionStatus).to.equal('BUSY')
  })

  it('follows the file another process appends to, ignoring other sessions and call events', async () => {
    const waiting = waitForSummary({file, sessionId: 'later', timeoutMs: 5000, pollMs: 20})
    const store = await EventStore.open(file)
    await store.append(event(vss('other')))
    await store.append(event({eventType: 'CALL_STATUS', payload: {sessionId: 'later', eventId: 'x', callStatus: 'answered'}}))
    await store.append(event(vss('later', {sessionStatus: 'NO_ANSWER'})))
    await store.close()
    const ev = await waiting
    expect(ev?.sessionId).to.equal('later')
    expect(ev?.type).to.equal('SESSION_SUMMARY')
  })

  it('answers at once from an open in-process store', async () => {
    const store = await EventStore.open(file)
    const waiting = waitForSummary({store, sessionId: 'x', timeoutMs: 5000, pollMs: 60_000})
    await new Promise((r) => setTimeout(r, 20))
    await store.append(event(vss('x')))
    expect((await waiting)?.sessionId).to.equal('x')
    await store.close()
  })

  it('gives undefined on timeout, and rejects "Interrupted" on abort', async () => {
    expect(await waitForSummary({file, sessionId: 'never', timeoutMs: 50, pollMs: 10})).to.equal(undefined)
    const ac = new AbortController()
    const waiting = waitForSummary({file, sessionId: 'never', timeoutMs: 5000, signal: ac.signal})
    ac.abort()
    const err = await waiting.then(() => undefined, (e) => e)
    expect(err?.exitCode).to.equal(130)
  })

  it('maps the outcome to the exit code --wait ends with', () => {
    expect(exitCodeForSummary(event(vss('c')))).to.equal(0)
    for (const sessionStatus of ['BUSY', 'NO_ANSWER', 'FAILED', 'CANCELED', 'ERROR']) expect(exitCodeForSummary(event(vss('x', {sessionStatus})))).to.equal(7)
    expect(exitCodeForSummary(event({payload: {SessionId: 'y', SessionStatus: 'completed'}}))).to.equal(0)
  })
})
