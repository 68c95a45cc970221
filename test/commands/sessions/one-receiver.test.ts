// One receiver per store: a second one is refused before it touches a byte of the store, so it can
// never cut off a write the first is still making (issue 11, defect 1).
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {listLeases} from '../../../src/lib/lease/lease.js'
import {startSandbox} from '../../../src/lib/sandbox/server.js'
import {startTail} from '../../../src/lib/webhooks/tail.js'
import {readEvents} from '../../../src/lib/sessions/store.js'
import {post, vss} from '../../lib/webhooks/fixtures.js'
import {LiveIvr} from './spawn.js'
import {announceSandbox} from '../../helpers/sandbox.js'

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
  it('the stress test: a burst into one tail while other tails start at once on its store and to register with the sandbox: 0 acknowledged events lost, 0 doubled, one lease', async () => {
    // The sandbox is the platform the racers register with (found through its discovery file, as `ivr sandbox start` writes it).
    const sandbox = await startSandbox({host: '127.0.0.1', port: 0})
    const api = new VoiceApi({baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, subAccountId: sandbox.subAccountId, userAgent: 'ivr-test'})
    const configDir = path.join(dir, 'config')
    const dataDir = path.join(dir, 'data')
    await announceSandbox(dataDir, sandbox)
    const env = {IVR_CONFIG_DIR: configDir, IVR_DATA_DIR: dataDir}
    const ORIGINAL = 'https://original.example.com/vss'
    await api.createWebhook({type: 'VSS', url: ORIGINAL, enabled: true})
    const vssUrl = async () => (await api.listWebhooks()).webhooks.find((w) => w.type === 'VSS')?.url
    const racers: LiveIvr[] = []
    const agent = new http.Agent({keepAlive: true, maxSockets: 40})
    try {
      live = new LiveIvr(['sessions', 'tail', '--port', '0', '--store', store], env)
      const url = await live.url()
      // The burst: large bodies (long writes a repair would cut), sent until the racers have settled.
      const filler = 'x'.repeat(200_000)
      const acked: string[] = []
      const answers: number[] = []
      let settled = false
      let sent = 0
      const sender = async () => {
        while (!settled || sent < 200) {
          const id = `burst-${sent++}`
          const r = await post(url, JSON.stringify(vss(id, {note: filler})), {}, agent)
          answers.push(r.status)
          if (r.status === 200) acked.push(id)
        }
      }
      const burst = Promise.all(Array.from({length: 40}, sender))
      // All along, tails in this process keep trying to open the burst's store.
      const attempts: Array<{refused: boolean; code?: string}> = []
      const opener = Promise.all(Array.from({length: 3}, async () => {
        while (!settled) attempts.push(await secondTail(store))
      }))
      // Rounds of racers started at the same moment, every one registering: `ivr sessions tail
      // --register` processes and, for a race no process start-up can stagger, tails in this
      // process; of each kind two on the burst's store and three on stores of their own. Each
      // round, exactly one registers, and none touches the burst's store.
      const register = (name: string) => ['--sandbox', '--register', '--public-url', `http://127.0.0.1:9/${name}`, '--force']
      const lease = (name: string) => ({api, configDir, account: sandbox.subAccountId, baseUrl: sandbox.baseUrl, url: `http://127.0.0.1:9/${name}`, force: true, pid: process.pid})
      for (let round = 0; round < 2; round++) {
        const names = Array.from({length: 10}, (_, i) => `r${round}-${i}`)
        const storeOf = (i: number) => (i % 5 < 2 ? store : path.join(dir, `${names[i]}.ndjson`))
        const spawned = names.slice(0, 5).map((name, i) => new LiveIvr(['sessions', 'tail', '--port', '0', '--store', storeOf(i), ...register(name)], env))
        racers.push(...spawned)
        const inProcess = names.slice(5).map((name, i) => startTail({storeFile: storeOf(i + 5), pid: process.pid, warn: () => {}, host: '127.0.0.1', port: 0, lease: lease(name)}))
        // Each racer either is refused (a process exits 2) or registers and listens.
        const outcomes = await Promise.all([
          ...spawned.map(async (r) => Promise.race([
            r.waitFor(/Listening on /, 'stderr', 45_000).then(() => ({won: true}), () => ({won: false})),
            r.exited.then(() => ({won: false})),
          ])),
          ...inProcess.map((t) => t.then((tail) => ({won: true, tail}), (error: {code?: string}) => ({won: false, code: error.code}))),
        ]) as Array<{won: boolean; tail?: Awaited<ReturnType<typeof startTail>>; code?: string}>
        const winners = names.filter((_n, i) => outcomes[i].won)
        expect(winners, `round ${round}:\n${spawned.map((r) => r.stderr).join('\n---\n')}`).to.have.length(1)
        const won = winners[0]
        const w = names.indexOf(won)
        expect(w % 5, 'the winner has a store of its own').to.be.at.least(2)
        for (const [i, r] of spawned.entries()) {
          if (i === w) continue
          expect((await r.exited).code, r.stderr).to.equal(2)
          expect(r.stderr, names[i]).to.match(i < 2 ? /Another receiver .* is already writing/ : /holds the VSS webhook/)
        }
        for (const [i, o] of outcomes.entries()) if (i >= 5 && i !== w) expect(o.code, names[i]).to.equal(i % 5 < 2 ? 'STORE_BUSY' : 'LEASE_BUSY')
        expect((await listLeases(configDir, 0)).map((l) => l.lease.url)).to.deep.equal([`http://127.0.0.1:9/${won}`])
        expect(await vssUrl()).to.equal(`http://127.0.0.1:9/${won}`)
        // Stopping the winner puts the original registration back; nothing is left leased.
        if (w < 5) {
          expect(spawned[w].stderr).to.contain(`Registered the VSS webhook of ${sandbox.subAccountId} → http://127.0.0.1:9/${won} (was ${ORIGINAL}`)
          spawned[w].kill('SIGINT')
          expect((await spawned[w].exited).code, spawned[w].stderr).to.equal(0)
        } else {
          expect((await outcomes[w].tail!.stop()).restored?.action).to.equal('restored')
        }
        expect(await vssUrl()).to.equal(ORIGINAL)
        expect(await listLeases(configDir, 0)).to.deep.equal([])
      }
      settled = true
      await Promise.all([burst, opener])
      agent.destroy()
      expect(attempts.length).to.be.greaterThan(0)
      expect(attempts.filter((a) => a.code !== 'STORE_BUSY')).to.deep.equal([])

      live.kill('SIGINT')
      expect((await live.exited).code).to.equal(0)
      expect(answers.filter((st) => st !== 200), 'answers other than 200').to.deep.equal([])
      expect(live.stderr).to.contain(`Stored ${acked.length} events`)
      const ids = await storedIds(store)
      expect(ids.length, 'lines in the store (acknowledged, once each)').to.equal(acked.length)
      expect([...ids].sort()).to.deep.equal([...acked].sort())
    } finally {
      agent.destroy()
      for (const r of racers) if (r.child.exitCode === null && r.child.signalCode === null) r.kill('SIGKILL')
      await Promise.all(racers.map((r) => r.exited))
      await sandbox.close()
    }
  })
})
