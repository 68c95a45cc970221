import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {EventStore, storeFileFor} from '../../../src/lib/sessions/store.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {runIvr} from '../../helpers/run.js'
import {vss} from '../../lib/webhooks/fixtures.js'

describe('ivr sessions list / show / stats / replay', () => {
  let dir: string
  let store: string
  const recent = new Date(Date.now() - 10 * 60_000).toISOString()
  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-read-'))
    store = path.join(dir, 's.ndjson')
    const s = await EventStore.open(store)
    const bodies = [
      vss('aaaa1111-old', {startTime: '2026-10-01T10:00:00Z', endTime: '2026-10-01T10:01:00Z'}),
      vss('bbbb2222-busy', {sessionStatus: 'BUSY', endTime: recent, details: {callA: {source: '+6531591234', destination: '+6591238965', callDuration: 0}}}),
      vss('cccc3333-err', {sessionStatus: 'ERROR', endTime: recent, errorDetails: {errorCode: -2004, errorMsg: 'no coverage'}}),
    ]
    for (const b of bodies) await s.append(makeStoredEvent(parseWebhook(b), {bodyText: JSON.stringify(b), path: '/vss'}))
    await s.close()
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  it('lists newest first with masked numbers; filters; prints CSV and JSON', async () => {
    let r = await runIvr(['sessions', 'list', '--store', store])
    expect(r.exitCode, r.stderr).to.equal(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).to.match(/^Ended\s+Session\s+Status\s+From\s+To\s+Duration\s+Legs\s+MOS\s+Error\s+Last action$/)
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[1])).to.deep.equal(['cccc3333-err', 'bbbb2222-busy', 'aaaa1111-old'])
    expect(r.stdout).to.contain('-2004 No coverage for the requested area')
    expect(r.stdout).not.to.contain('91238965')
    r = await runIvr(['sessions', 'list', '--store', store, '--since', '1h', '--status', 'busy,error', '--json'])
    expect(JSON.parse(r.stdout).sessions.map((s: {sessionId: string}) => s.sessionId)).to.deep.equal(['cccc3333-err', 'bbbb2222-busy'])
    r = await runIvr(['sessions', 'list', '--store', store, '--csv', '--limit', '1', '--show-numbers'])
    const csv = r.stdout.trim().split('\n')
    expect(csv[0]).to.match(/^sessionId,status,startTime,endTime,receivedAt,source,destination,/)
    expect(csv).to.have.length(2)
    expect(csv[1]).to.contain('cccc3333-err,ERROR')
    expect(csv[1]).to.contain('+6591238965')
    r = await runIvr(['sessions', 'list', '--store', store, '--since', 'last tuesday'])
    expect(r.exitCode).to.equal(2)
  })

  it('prints times in local time, or ISO 8601 in UTC with --utc (as sandbox sessions and recordings status do)', async () => {
    const local = (await runIvr(['sessions', 'list', '--store', store])).stdout.split('\n').find((l) => l.includes('aaaa1111-old'))!
    const d = new Date('2026-10-01T10:01:00Z')
    const p2 = (n: number) => String(n).padStart(2, '0')
    expect(local.startsWith(`${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`)).to.equal(true)
    const utc = (await runIvr(['sessions', 'list', '--store', store, '--utc'])).stdout.split('\n').find((l) => l.includes('aaaa1111-old'))!
    expect(utc.startsWith('2026-10-01T10:01:00.000Z')).to.equal(true)
  })

  it('--csv defuses a caller id a spreadsheet would run as a formula', async () => {
    const hostile = path.join(dir, 'hostile.ndjson')
    const s = await EventStore.open(hostile)
    const body = vss('dddd4444-csv', {details: {callA: {source: '-2+3+cmd|"/C calc"!A0', destination: '=HYPERLINK("http://x")', callDuration: 5}}})
    await s.append(makeStoredEvent(parseWebhook(body), {bodyText: JSON.stringify(body), path: '/vss'}))
    await s.close()
    const r = await runIvr(['sessions', 'list', '--store', hostile, '--csv', '--show-numbers'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const row = r.stdout.trim().split('\n')[1]
    expect(row).to.contain(`"'-2+3+cmd|""/C calc""!A0"`).and.contain(`"'=HYPERLINK(""http://x"")"`)
  })

  it('reads on past a torn last line with a warning (list and stats), losing nothing before it', async () => {
    const torn = path.join(dir, 'torn.ndjson')
    await fs.writeFile(torn, (await fs.readFile(store, 'utf8')) + '{"key":"SESSION_SUMMARY:dddd","receivedAt":"2026-11-2')
    let r = await runIvr(['sessions', 'list', '--store', torn, '--json'])
    expect(r.exitCode).to.equal(0)
    expect(JSON.parse(r.stdout).sessions).to.have.length(3)
    expect(r.stderr).to.match(/Warning: The last line of .*torn\.ndjson is incomplete/)
    r = await runIvr(['sessions', 'stats', '--store', torn])
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/Sessions\s+3/)
    expect(r.stderr).to.contain('incomplete')
  })

  it('refuses a store that is a folder (exit 4), saying so; a store not made yet is simply empty', async () => {
    let r = await runIvr(['sessions', 'list', '--store', dir])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain(`Cannot read ${dir}: it is a folder.`)
    expect(r.stderr).not.to.match(/Unexpected|EISDIR/)
    r = await runIvr(['sessions', 'stats', '--store', dir])
    expect(r.exitCode).to.equal(4)
    r = await runIvr(['sessions', 'list', '--store', path.join(dir, 'not-yet.ndjson')])
    expect(r.exitCode).to.equal(0)
    expect(r.stderr).to.contain('No session summaries stored yet')
  })

  it('shows one session by prefix, and exits 5 for an unknown one', async () => {
    let r = await runIvr(['sessions', 'show', 'cccc', '--store', store])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/Session\s+cccc3333-err/)
    expect(r.stdout).to.contain('No coverage for the requested area')
    expect(r.stdout).to.match(/A\s+OUTBOUND/)
    r = await runIvr(['sessions', 'show', 'zzzz9999', '--store', store])
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('No session "zzzz9999"')
  })

  it('prints stats with a chart, and the same figures as JSON', async () => {
    let r = await runIvr(['sessions', 'stats', '--store', store])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/Sessions\s+3/)
    expect(r.stdout).to.match(/Answered\s+2 \(66\.7%\)/)
    expect(r.stdout).to.match(/COMPLETED\s+1\s+█+ 33\.3%/)
    r = await runIvr(['sessions', 'stats', '--store', store, '--by', 'country', '--json'])
    const s = JSON.parse(r.stdout)
    expect(s).to.include({sessions: 3, answered: 2, by: 'country'})
    expect(s.topErrors).to.deep.equal([{code: -2004, meaning: 'No coverage for the requested area', count: 1}])
    r = await runIvr(['sessions', 'stats', '--store', store, '--by', 'weekday'])
    expect(r.exitCode).to.equal(2)
  })

  it('replays a stored summary to a URL, body as received, with the auth header given', async () => {
    const got: Array<{body: string; auth?: string; path?: string}> = []
    const app = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        got.push({body, auth: req.headers.authorization, path: req.url})
        res.writeHead(200)
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/mine`
    let r = await runIvr(['sessions', 'replay', 'bbbb2222', '--to', url, '--store', store], {env: {IVR_WEBHOOK_AUTH: 'Bearer xyz'}})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/--> SESSION_SUMMARY bbbb2222-busy {2}<-- 200 POST http:\/\/127\.0\.0\.1:\d+\/mine \d+ ms/)
    expect(JSON.parse(got[0].body)).to.deep.equal(vss('bbbb2222-busy', {sessionStatus: 'BUSY', endTime: recent, details: {callA: {source: '+6531591234', destination: '+6591238965', callDuration: 0}}}))
    expect(got[0]).to.include({auth: 'Bearer xyz', path: '/mine'})
    await new Promise<void>((resolve) => app.close(() => resolve()))
    r = await runIvr(['sessions', 'replay', 'bbbb2222', '--to', url, '--store', store])
    expect(r.exitCode).to.equal(6)
    expect(r.stderr).to.contain('did not answer')
  })

  it('takes --timeout as a duration like every other timeout (a bare number is seconds)', async () => {
    // A server that reads the request and never answers: the timeout is what ends the replay.
    const silent = http.createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mine`
    try {
      let r = await runIvr(['sessions', 'replay', 'bbbb2222', '--to', url, '--store', store, '--timeout', '300ms'])
      expect(r.exitCode, r.stderr).to.equal(6)
      expect(r.stderr).to.contain('did not answer')
      r = await runIvr(['sessions', 'replay', 'bbbb2222', '--to', url, '--store', store, '--timeout', 'soon'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.contain('--timeout "soon" is not a duration')
    } finally {
      silent.closeAllConnections()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })

  it('reads the sub-account store from the data dir, and asks which when there are several', async () => {
    const dataDir = path.join(dir, 'data')
    for (const acct of ['acme', 'beta']) {
      const s = await EventStore.open(storeFileFor(dataDir, acct))
      const b = vss(`${acct}-session`)
      await s.append(makeStoredEvent(parseWebhook(b), {bodyText: JSON.stringify(b)}))
      await s.close()
    }
    let r = await runIvr(['sessions', 'list', '--json'], {env: {IVR_DATA_DIR: dataDir, IVR_ACCOUNT: 'beta'}})
    expect(JSON.parse(r.stdout).sessions.map((s: {sessionId: string}) => s.sessionId)).to.deep.equal(['beta-session'])
    r = await runIvr(['sessions', 'list'], {env: {IVR_DATA_DIR: dataDir}})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('several sub-accounts (acme, beta)')
  })
})
