// The HTTP kit as every server of the tool uses it (receiver, menu server, sandbox): refusals,
// bodies that are not webhooks, and clients that are slow on purpose (issue 11, defects 6, 7, 11, 12).
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {DEFAULT_LIMITS, type ServerLimits} from '../../../src/lib/http/server.js'
import {parseMenuText} from '../../../src/lib/menu/model.js'
import {startMenuServer} from '../../../src/lib/menu/server.js'
import {startSandbox} from '../../../src/lib/sandbox/server.js'
import {computeStats, findSession, listSessions, summaryRows} from '../../../src/lib/sessions/query.js'
import {EventStore, readEvents, storeLine} from '../../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {startReceiver} from '../../../src/lib/webhooks/receiver.js'
import {post, vss} from '../webhooks/fixtures.js'

const MENU = parseMenuText('nodes:\n  main:\n    say: Press 1.\n    choices: {"1": hangup}\n', 'm.yaml').menu!

/** A raw connection: what was received, and a promise that settles when the server closes it. */
function connect(url: string): Promise<{socket: net.Socket; received: () => string; closed: Promise<void>}> {
  const {hostname, port} = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve({socket, received: () => data, closed}))
    let data = ''
    socket.on('data', (d) => (data += d))
    const closed = new Promise<void>((r) => socket.on('close', () => r()))
    socket.on('error', reject)
  })
}

const SLOW: ServerLimits = {headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 3}

describe('http kit: what every server of the tool refuses, and the clients it sheds', function () {
  this.timeout(20_000)
  let dir: string
  let store: EventStore
  const closers: Array<() => Promise<unknown>> = []
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-http-'))
    store = await EventStore.open(path.join(dir, 's.ndjson'))
  })
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
    await store.close()
    await fs.rm(dir, {recursive: true, force: true})
  })
  const servers = async (limits: ServerLimits = {}) => {
    const receiver = await startReceiver({host: '127.0.0.1', port: 0, store, ...limits})
    const menu = await startMenuServer({menu: MENU, port: 0, authHeader: 'Basic c2VjcmV0', ...limits})
    const sandbox = await startSandbox({host: '127.0.0.1', port: 0, limits})
    closers.push(() => receiver.close(), () => menu.close(), () => sandbox.close())
    return {receiver: receiver.url, menu: menu.url, sandbox: `${sandbox.baseUrl}/`}
  }

  it('the receiver answers 400 to a JSON array and to deep nesting, with the reason, and stores nothing', async () => {
    const {receiver} = await servers()
    const array = await post(receiver, JSON.stringify([vss('in-an-array')]))
    expect(array.status).to.equal(400)
    expect(JSON.parse(array.body).error).to.equal('body is a JSON array; a webhook is an object')
    const deep = await post(receiver, `{"a":${'['.repeat(300_000)}${']'.repeat(300_000)}}`)
    expect(deep.status).to.equal(400)
    expect(JSON.parse(deep.body).error).to.equal('body is nested deeper than 64 levels')
    // Brackets inside strings are text, not nesting.
    expect((await post(receiver, JSON.stringify(vss('brackets', {note: '['.repeat(500)})))).status).to.equal(200)
    await store.flush()
    const stored = []
    for await (const ev of readEvents(store.file)) stored.push(ev.sessionId)
    expect(stored).to.deep.equal(['brackets'])
  })

  it('refusals close the connection: a client asking for Connection: close on 401 and 405 is not kept waiting', async () => {
    const {menu, receiver} = await servers()
    for (const [url, head] of [[menu, 'POST'], [menu, 'PUT'], [receiver, 'PUT']]) {
      const c = await connect(url)
      c.socket.write(`${head} ${new URL(url).pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`)
      await c.closed
      expect(c.received(), `${head} ${url}`).to.match(head === 'POST' ? /^HTTP\/1\.1 401 / : /^HTTP\/1\.1 405 /)
      expect(c.received().toLowerCase()).to.contain('connection: close')
    }
  })

  // Each limit alone: the others are set far out of reach, so each test fails without its own setting.
  it('cuts off slow headers on the receiver, the menu server and the sandbox (headers timeout)', async () => {
    const all = await servers({headersTimeoutMs: 300, requestTimeoutMs: 120_000, maxConnections: 3})
    // The three at once: each waits out its own timeout.
    await Promise.all(Object.entries(all).map(async ([name, url]) => {
      const slowHeaders = await connect(url)
      slowHeaders.socket.write('POST / HTTP/1.1\r\nHost: x\r\n') // and never the rest
      await slowHeaders.closed
      expect(slowHeaders.received(), name).to.match(/^$|^HTTP\/1\.1 408 /)
      slowHeaders.socket.destroy()
    }))
  })

  it('cuts off slow bodies on the receiver, the menu server and the sandbox (request timeout)', async () => {
    const all = await servers({headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 3})
    await Promise.all(Object.entries(all).map(async ([name, url]) => {
      const slowBody = await connect(url)
      // Where each takes a body without asking for a key first (the sandbox's API would refuse at once, 401).
      const target = name === 'sandbox' ? '/sandbox/demo-vca' : '/'
      slowBody.socket.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic c2VjcmV0\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`) // and never the rest
      await slowBody.closed
      expect(slowBody.received(), name).to.match(/^$|^HTTP\/1\.1 408 /)
      slowBody.socket.destroy()
    }))
  })

  it('closes a kept-alive connection left idle after its answer (idle timeout), well before Node\'s own 5 s', async () => {
    const all = await servers({idleTimeoutMs: 200})
    const asks: Record<string, string> = {
      receiver: `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(JSON.stringify(vss('idle-1')))}\r\n\r\n${JSON.stringify(vss('idle-1'))}`,
      menu: 'GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic c2VjcmV0\r\n\r\n',
      sandbox: 'GET /sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n',
    }
    await Promise.all(Object.entries(all).map(async ([name, url]) => {
      const c = await connect(url)
      c.socket.write(asks[name])
      const open = await Promise.race([c.closed.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 4000))])
      expect(c.received(), name).to.match(/^HTTP\/1\.1 200 /)
      expect(c.received(), name).not.to.match(/connection: close/i)
      expect(open, `${name}: the idle connection was still open after 4 s`).to.equal(false)
      c.socket.destroy()
    }))
  })

  it('drops connections over the cap, and serves again once they are gone', async () => {
    const all = await servers(SLOW)
    for (const [name, url] of Object.entries(all)) {
      const held = await Promise.all([connect(url), connect(url), connect(url)])
      const over = await connect(url)
      await over.closed
      expect(over.received(), name).to.equal('')
      for (const h of held) h.socket.destroy()
      await Promise.all(held.map((h) => h.closed))
      await new Promise((r) => setTimeout(r, 50))
      const again = await connect(url)
      again.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      await again.closed
      expect(again.received(), name).to.match(/^HTTP\/1\.1 \d{3} /)
    }
  })

  it('every server starts with the limits written in DEFAULT_LIMITS', async () => {
    const receiver = await startReceiver({host: '127.0.0.1', port: 0, store})
    closers.push(() => receiver.close())
    const {server} = receiver
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.timeout, server.maxConnections])
      .to.deep.equal([DEFAULT_LIMITS.headersTimeoutMs, DEFAULT_LIMITS.requestTimeoutMs, DEFAULT_LIMITS.idleTimeoutMs, DEFAULT_LIMITS.socketTimeoutMs, DEFAULT_LIMITS.maxConnections])
  })
})

describe('store readers: damage reported with its line, once; deep bodies stored by older versions survived', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-readers-'))
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  const line = (id: string, body: string) => `{"key":"SESSION_SUMMARY:${id}","receivedAt":"2026-11-20T10:01:31.000Z","type":"SESSION_SUMMARY","sessionId":"${id}","row":[1,"COMPLETED",1763632890000,85,85,2,1,4.4,null,null,"HANGUP","SG"],"body":${body}}`

  it('list, show and stats name the right line of a cut or corrupt line, once each, and skip a too-deep body', async () => {
    const file = path.join(dir, 's.ndjson')
    const good = (id: string) => line(id, JSON.stringify(vss(id)))
    const lines = [
      good('s-0001'),
      good('s-0002').slice(0, -40), // cut mid-body
      '{"key":"SESSION_SUMMARY:s-0003","receivedAt":"2026-11-20T10:01:31.000Z"', // cut before "type"
      '{"key":"CALL_ACTION:s-0004:e1","receivedAt":"2026-11-20T10:01:31.000Z","type":"CALL_ACT', // a cut call event
      line('s-0005', `{"payload":{"sessionId":"s-0005"},"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`),
      good('s-0006'),
    ]
    await fs.writeFile(file, `${lines.join('\n')}\n`)
    for (const [name, read] of Object.entries({
      list: (warn: (m: string) => void) => listSessions(file, {limit: 0, warn}).then((rows) => rows.map((r) => r.sessionId)),
      stats: (warn: (m: string) => void) => computeStats(file, {by: 'status', warn}).then((s) => s.sessions),
      show: (warn: (m: string) => void) => findSession(file, 's-0006', warn).then((s) => s.sessionId),
    })) {
      const warnings: string[] = []
      const got = await read((m) => warnings.push(m))
      const named = warnings.map((w) => /^Line (\d+) /.exec(w)?.[1])
      expect([...named].sort(), `${name}: ${warnings.join(' | ')}`).to.deep.equal(name === 'list' ? ['2', '3', '4', '5'] : ['2', '3', '4'])
      if (name === 'list') expect(got).to.deep.equal(['s-0006', 's-0001'])
    }
    // Asked for the deep one itself: a warning and "not found", never a crash.
    const warnings: string[] = []
    const missing = await findSession(file, 's-0005', (m) => warnings.push(m)).catch((e) => e)
    expect(missing.exitCode).to.equal(5)
    expect(warnings.at(-1)).to.equal(`Line 5 of ${file} holds a body nested deeper than 64 levels (no webhook is); skipped it.`)
    // A store with a deep body opens for writing too (its key is read, the body is not).
    const store = await EventStore.open(file)
    expect(store.has('SESSION_SUMMARY:s-0005')).to.equal(true)
    await store.close()
  })
  it('a line cut right after a "}" (so it still ends as whole lines do) is reported by every reader, with its line, once', async () => {
    const vca = (id: string) => ({namespace: 'VOICE', eventType: 'CALL_ACTION', payload: {sessionId: id, eventId: `${id}-e1`, callStatus: 'ACTION_COMPLETED', eventData: {dtmf: '1'}}})
    // As the store writes them, and as an older writer did (no body length): both must be caught.
    const written = (body: object) => storeLine(makeStoredEvent(parseWebhook(body), {bodyText: JSON.stringify(body), receivedAt: new Date('2026-11-20T10:01:31Z'), path: '/vss'}), Buffer.from(JSON.stringify(body))).toString().trimEnd()
    const older = (body: object) => JSON.stringify(JSON.parse(written(body)), (k, v) => (k === 'bodyBytes' ? undefined : v))
    /** The line cut just after the first "}" inside its body: the row (before the body) is intact. */
    const cutAfterBrace = (text: string) => text.slice(0, text.indexOf('}', text.indexOf('"body":')) + 1)
    for (const [style, make] of Object.entries({written, older})) {
      const file = path.join(dir, `${style}.ndjson`)
      const lines = [make(vss('s-0001')), cutAfterBrace(make(vss('s-0002'))), cutAfterBrace(make(vca('s-0003'))), make(vss('s-0004'))]
      expect(lines[1]).to.match(/"row":\[.*\].*\}$/)
      await fs.writeFile(file, `${lines.join('\n')}\n`)
      for (const [name, read] of Object.entries({
        list: (warn: (m: string) => void) => listSessions(file, {limit: 0, warn}).then((rows) => rows.map((r) => r.sessionId)),
        stats: (warn: (m: string) => void) => computeStats(file, {by: 'status', warn}).then((st) => st.sessions),
        show: (warn: (m: string) => void) => findSession(file, 's-0004', warn).then((st) => st.events.length),
        rows: async (warn: (m: string) => void) => {
          const ids: string[] = []
          for await (const {row} of summaryRows(file, {}, warn)) ids.push(row.sessionId)
          return ids
        },
      })) {
        const warnings: string[] = []
        const got = await read((m) => warnings.push(m))
        expect(warnings.map((w) => /^Line (\d+) of .* is not valid JSON/.exec(w)?.[1]), `${style} ${name}: ${warnings.join(' | ')}`).to.deep.equal(['2', '3'])
        expect(got, `${style} ${name}`).to.deep.equal({list: ['s-0004', 's-0001'], stats: 2, show: 1, rows: ['s-0001', 's-0004']}[name])
      }
    }
  })

})
