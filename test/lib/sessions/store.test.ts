import {expect} from 'chai'
import {isUtf8} from 'node:buffer'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {EventStore, readEvents, storeFileFor} from '../../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {vss} from '../webhooks/fixtures.js'

const event = (body: unknown) => makeStoredEvent(parseWebhook(body), {bodyText: JSON.stringify(body), path: '/vss'})

async function all(file: string, warn?: (m: string) => void) {
  const out = []
  for await (const ev of readEvents(file, {warn})) out.push(ev)
  return out
}

describe('sessions/store: the durable NDJSON store', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-store-'))
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it('keeps one file per sub-account in the data dir, readable by the owner only', async () => {
    const file = storeFileFor(dir, 'acme')
    expect(file).to.equal(path.join(dir, 'sessions', 'acme.ndjson'))
    const store = await EventStore.open(file)
    await store.append(event(vss('a')))
    await store.close()
    expect((await fs.stat(file)).mode & 0o777).to.equal(0o600)
  })

  it('stores a summary delivered twice once, also across restarts, and keeps call events with distinct ids', async () => {
    const file = path.join(dir, 's.ndjson')
    let store = await EventStore.open(file)
    const results = await Promise.all([store.append(event(vss('a'))), store.append(event(vss('a'))), store.append(event(vss('b')))])
    expect(results.map((r) => r.stored)).to.deep.equal([true, false, true])
    await store.append(event({eventType: 'CALL_STATUS', payload: {sessionId: 'a', eventId: 'e1', callStatus: 'ringing'}}))
    await store.append(event({eventType: 'CALL_STATUS', payload: {sessionId: 'a', eventId: 'e2', callStatus: 'answered'}}))
    await store.close()
    store = await EventStore.open(file)
    expect((await store.append(event(vss('a')))).stored).to.equal(false)
    expect((await store.append(event({eventType: 'CALL_STATUS', payload: {sessionId: 'a', eventId: 'e2', callStatus: 'answered'}}))).stored).to.equal(false)
    await store.close()
    const evs = await all(file)
    expect(evs.map((e) => `${e.type}:${e.sessionId}`)).to.deep.equal(['SESSION_SUMMARY:a', 'SESSION_SUMMARY:b', 'CALL_STATUS:a', 'CALL_STATUS:a'])
    expect(evs[0].body).to.deep.equal(vss('a'))
  })

  it('stores a body as it was received: pretty-printed JSON stays one line, odd bytes are re-encoded, and every body reads back the same', async () => {
    const file = path.join(dir, 'received.ndjson')
    const store = await EventStore.open(file)
    const pretty = JSON.stringify(vss('pretty'), null, 2).replace(/\n/g, '\r\n')
    const compact = JSON.stringify(vss('compact', {lastAction: 'SAY \u00e9\u2028'}))
    const latin1 = Buffer.from(JSON.stringify(vss('latin1', {lastAction: 'caf\u00e9'})), 'latin1') // not UTF-8
    for (const received of [Buffer.from(pretty), Buffer.from(compact), latin1]) {
      const text = received.toString('utf8')
      await store.append(makeStoredEvent(parseWebhook(JSON.parse(text)), {bodyText: text}), received)
    }
    await store.close()
    const raw = await fs.readFile(file)
    expect(raw.toString('utf8').split('\n')).to.have.length(4) // three lines and the final newline
    expect(raw.toString('utf8')).to.include(compact) // bytes kept as they came
    expect(isUtf8(raw), 'the store file is UTF-8').to.equal(true)
    const evs = await all(file)
    expect(evs.map((e) => e.body)).to.deep.equal([vss('pretty'), vss('compact', {lastAction: 'SAY \u00e9\u2028'}), JSON.parse(latin1.toString('utf8'))])
  })

  it('has every concurrent append on disk, each once, when the promises resolve', async () => {
    const file = path.join(dir, 'burst.ndjson')
    const store = await EventStore.open(file)
    await Promise.all(Array.from({length: 500}, (_, i) => store.append(event(vss(`s${i}`)))))
    // Read with a separate reader before closing: what was acknowledged is already in the file.
    const lines = (await fs.readFile(file, 'utf8')).trim().split('\n')
    expect(lines).to.have.length(500)
    expect(new Set(lines.map((l) => JSON.parse(l).sessionId)).size).to.equal(500)
    await store.close()
  })

  it('skips a torn last line with a warning when reading, and cuts it off when reopened for writing', async () => {
    const file = path.join(dir, 'torn.ndjson')
    const store = await EventStore.open(file)
    await store.append(event(vss('a')))
    await store.append(event(vss('b')))
    await store.close()
    const torn = JSON.stringify({key: 'SESSION_SUMMARY:c', type: 'SESSION_SUMMARY', body: vss('c')}).slice(0, 80)
    await fs.appendFile(file, torn)
    const warnings: string[] = []
    expect((await all(file, (m) => warnings.push(m))).map((e) => e.sessionId)).to.deep.equal(['a', 'b'])
    expect(warnings).to.have.length(1)
    expect(warnings[0]).to.match(/last line .* incomplete/)

    const reopenWarnings: string[] = []
    const again = await EventStore.open(file, {warn: (m) => reopenWarnings.push(m)})
    expect(reopenWarnings.join()).to.match(/incomplete line \(80 bytes/)
    expect((await again.append(event(vss('c')))).stored).to.equal(true)
    await again.close()
    const after: string[] = []
    expect((await all(file, (m) => after.push(m))).map((e) => e.sessionId)).to.deep.equal(['a', 'b', 'c'])
    expect(after).to.deep.equal([])
  })

  it('skips a corrupt middle line with a warning and reads on', async () => {
    const file = path.join(dir, 'mid.ndjson')
    const good = (id: string) => JSON.stringify({key: `SESSION_SUMMARY:${id}`, receivedAt: new Date().toISOString(), type: 'SESSION_SUMMARY', sessionId: id, body: vss(id)})
    await fs.writeFile(file, `${good('a')}\n{"oops\n${good('b')}\n`)
    const warnings: string[] = []
    expect((await all(file, (m) => warnings.push(m))).map((e) => e.sessionId)).to.deep.equal(['a', 'b'])
    expect(warnings).to.deep.equal([`Line 2 of ${file} is not valid JSON; skipped it.`])
  })

  it('dedupes across restarts also for session ids with quotes and backslashes in them', async () => {
    const file = path.join(dir, 'odd.ndjson')
    const odd = 'we"ird\\id"'
    let store = await EventStore.open(file)
    expect((await store.append(event(vss(odd)))).stored).to.equal(true)
    await store.close()
    store = await EventStore.open(file)
    expect(store.has(`SESSION_SUMMARY:${odd}`)).to.equal(true)
    expect((await store.append(event(vss(odd)))).stored).to.equal(false)
    await store.close()
    expect((await all(file)).map((e) => e.sessionId)).to.deep.equal([odd])
  })

  it('reads nothing from a store that does not exist yet', async () => {
    expect(await all(path.join(dir, 'none.ndjson'))).to.deep.equal([])
  })
})
