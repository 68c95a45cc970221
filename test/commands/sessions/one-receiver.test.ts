// One receiver per store: a second one is refused before it touches a byte of the store, so it can
// never cut off a write the first is still making (issue 11, defect 1).
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {startTail} from '../../../src/lib/webhooks/tail.js'
import {readEvents} from '../../../src/lib/sessions/store.js'
import {post, vss} from '../../lib/webhooks/fixtures.js'
import {LiveIvr} from './spawn.js'

async function storedIds(file: string): Promise<string[]> {
  const out: string[] = []
  for await (const ev of readEvents(file)) out.push(ev.sessionId ?? '')
  return out
}

/** A second receiver on the same store, in this process: it must be refused. */
async function secondTail(store: string): Promise<{refused: boolean; code?: string}> {
  try {
    const t = await startTail({storeFile: store, pid: process.pid, warn: () => {}, host: '127.0.0.1', port: 0})
    await t.stop()
    return {refused: false}
  } catch (error) {
    return {refused: true, code: (error as {code?: string}).code}
  }
}

describe('one receiver per store (sessions tail)', function () {
  this.timeout(60_000)
  let dir: string
  let store: string
  let live: LiveIvr | undefined
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-one-'))
    store = path.join(dir, 'tail.ndjson')
  })
  afterEach(async () => {
    if (live && live.child.exitCode === null && live.child.signalCode === null) live.kill('SIGKILL')
    live = undefined
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('a second tail is refused without touching the store: a line the first is still writing stays as it is', async () => {
    live = new LiveIvr(['sessions', 'tail', '--port', '0', '--store', store])
    const url = await live.url()
    expect((await post(url, JSON.stringify(vss('before')))).status).to.equal(200)
    // The first receiver is in the middle of a write: its line has no newline yet.
    const partial = `{"key":"SESSION_SUMMARY:under-way","receivedAt":"2026-11-20T10:00:00.000Z","type":"SESSION_SUMMARY","body":{"pay`
    await fs.appendFile(store, partial)
    const bytes = await fs.readFile(store)

    const second = await secondTail(store)
    expect(second).to.deep.equal({refused: true, code: 'STORE_BUSY'})
    expect((await fs.readFile(store)).equals(bytes), 'the store changed under the first receiver').to.equal(true)

    live.kill('SIGINT')
    expect((await live.exited).code).to.equal(0)
  })

  it('a burst of large webhooks into one tail while other tails keep trying to open its store: every acknowledged event stored, once', async () => {
    live = new LiveIvr(['sessions', 'tail', '--port', '0', '--store', store])
    const url = await live.url()
    const agent = new http.Agent({keepAlive: true, maxSockets: 40})
    const filler = 'x'.repeat(100_000) // large bodies make long writes, which a repair would cut
    const acked: string[] = []
    let done = false
    const sends = Array.from({length: 300}, (_, i) => post(url, JSON.stringify(vss(`big-${i}`, {note: filler})), {}, agent).then((r) => {
      if (r.status === 200) acked.push(`big-${i}`)
    }))
    const attempts: Array<{refused: boolean}> = []
    const opener = (async () => {
      while (!done) attempts.push(await secondTail(store))
    })()
    await Promise.all(sends)
    done = true
    await opener
    agent.destroy()

    live.kill('SIGINT')
    expect((await live.exited).code).to.equal(0)
    expect(live.stderr).to.contain('Stored 300 events')
    expect(attempts.length).to.be.greaterThan(0)
    expect(attempts.filter((a) => !a.refused)).to.deep.equal([])
    const ids = await storedIds(store)
    expect(acked).to.have.length(300)
    expect(ids.length, 'lines in the store').to.equal(300)
    expect(new Set(ids).size).to.equal(300)
  })
})
