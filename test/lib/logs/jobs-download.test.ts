import {assert, expect} from 'chai'
import {mkdtempSync, promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import type {LogExportJob} from '../../../src/lib/api/types.js'
import {IvrError} from '../../../src/lib/errors.js'
import {downloadFiles, planDownload} from '../../../src/lib/logs/download.js'
import {outcomeError, waitForExport, WaitAborted} from '../../../src/lib/logs/jobs.js'
import {startExportServer, type ExportServer} from './export-server.js'

/** A getLogExport that answers a script, recording when each poll came (virtual clock). */
function scripted(statuses: string[]) {
  let clock = 0
  const polls: number[] = []
  return {
    polls,
    now: () => clock,
    api: {
      async getLogExport(): Promise<LogExportJob> {
        polls.push(clock)
        clock += 10
        return {status: statuses[Math.min(polls.length - 1, statuses.length - 1)] as LogExportJob['status']}
      },
    },
    advance: (ms: number) => (clock += ms),
  }
}

describe('logs jobs and downloads (lib)', () => {
  it('polls until a final status, whatever the case of the status', async () => {
    const s = scripted(['queued', 'RUNNING', 'running', 'running', 'succeeded'])
    const seen: string[] = []
    const {job} = await waitForExport(s.api, 'j1', {initialIntervalMs: 1, factor: 2, now: s.now, onPoll: (j) => seen.push(j.status)})
    expect(job.status).to.equal('succeeded')
    expect(seen).to.deep.equal(['queued', 'running', 'running', 'running', 'succeeded'])
  })

  it('gives up after the timeout naming the job and how to resume', async () => {
    const s = scripted(['running'])
    const err: unknown = await waitForExport(s.api, 'job-42', {initialIntervalMs: 1, timeoutMs: 35, now: s.now}).catch((error) => error)
    assert.instanceOf(err, IvrError)
    expect(err.exitCode).to.equal(6)
    expect(err.message).to.contain('job-42').and.contain('still running')
    expect(err.suggestions.join('\n')).to.contain('ivr logs download job-42')
  })

  it('stops at once when aborted', async () => {
    const s = scripted(['running'])
    const ctrl = new AbortController()
    const wait = waitForExport(s.api, 'j', {initialIntervalMs: 60_000, signal: ctrl.signal, now: s.now})
    setImmediate(() => ctrl.abort())
    expect(await wait.catch((error) => error)).to.be.instanceOf(WaitAborted)
  })

  it('maps each final status onto its own message and exit code', () => {
    const codes = Object.fromEntries(['empty', 'failed', 'error', 'cancelled'].map((st) => {
      const e = outcomeError('J', {status: st as LogExportJob['status']}, '2026-11-01 → 2026-11-08')!
      return [st, [e.exitCode, e.code]]
    }))
    expect(codes).to.deep.equal({empty: [5, 'EXPORT_EMPTY'], failed: [6, 'EXPORT_FAILED'], error: [6, 'EXPORT_ERROR'], cancelled: [1, 'EXPORT_CANCELLED']})
    expect(outcomeError('J', {status: 'succeeded', data: ['http://x/a.csv']})).to.equal(undefined)
  })

  describe('downloads', () => {
    let server: ExportServer
    let api: VoiceApi
    let dir: string
    const big = 'SessionId,TotalPriceOfCall\n' + Array.from({length: 4000}, (_, i) => `s${i},0.0123`).join('\n') + '\n'
    before(async () => {
      server = await startExportServer()
      api = new VoiceApi({baseUrl: server.baseUrl, apiKey: server.apiKey, subAccountId: server.subAccountId, userAgent: 'test'})
    })
    after(() => server.close())
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'ivr-dl-'))
    })
    afterEach(() => fs.rm(dir, {recursive: true, force: true}))

    const urlsOf = async (id: string) => (await api.getLogExport(id)).data!

    it('names files per job in a folder, or after the --out file name', async () => {
      const urls = ['http://h/a.csv', 'http://h/b.csv.gz']
      const inDir = await planDownload(urls, {jobId: 'F1T6z9C5tW2QV1pdMzO9', out: 'reports/', cwd: dir})
      expect(inDir.map((f) => path.relative(dir, f.path))).to.deep.equal(['reports/ivr-logs-F1T6z9C5tW2Q-1.csv', 'reports/ivr-logs-F1T6z9C5tW2Q-2.csv.gz'])
      const named = await planDownload(urls, {jobId: 'x', out: 'week.csv', cwd: dir})
      expect(named.map((f) => path.basename(f.path))).to.deep.equal(['week-1.csv', 'week-2.csv'])
      expect((await planDownload(['http://h/a.csv'], {jobId: 'x', out: 'week.csv', cwd: dir}))[0].path).to.equal(path.join(dir, 'week.csv'))
    })

    it('resumes a cut transfer with a Range request and ends with the exact bytes', async () => {
      server.addJob('cut', {statuses: ['succeeded'], files: [{name: 'p1.csv', body: big}], cutAfterBytes: 10_000})
      const plan = await planDownload(await urlsOf('cut'), {jobId: 'cut', out: dir, cwd: dir})
      const first: unknown = await downloadFiles(api, plan, {jobId: 'cut'}).catch((error) => error)
      assert.instanceOf(first, IvrError)
      expect(first.exitCode).to.equal(6)
      expect(first.suggestions.join(' ')).to.contain('ivr logs download cut')
      expect((await fs.stat(`${plan[0].path}.part`)).size).to.equal(10_000)
      const done = await downloadFiles(api, plan, {jobId: 'cut'})
      expect(done[0]).to.include({outcome: 'resumed', bytes: big.length})
      expect(await fs.readFile(plan[0].path, 'utf8')).to.equal(big)
      expect(server.seen.filter((s) => s.path.startsWith('/files/cut/')).map((s) => s.range ?? '')).to.deep.equal(['', 'bytes=10000-'])
      const stat = await fs.stat(plan[0].path)
      expect(stat.mode & 0o077).to.equal(0)
    })

    it('keeps files already downloaded, unless forced', async () => {
      server.addJob('keep', {statuses: ['succeeded'], files: [{name: 'a.csv', body: 'x\n'}, {name: 'b.csv', body: 'y\n'}]})
      const plan = await planDownload(await urlsOf('keep'), {jobId: 'keep', out: dir, cwd: dir})
      await downloadFiles(api, plan, {jobId: 'keep'})
      const again = await downloadFiles(api, plan, {jobId: 'keep'})
      expect(again.map((f) => f.outcome)).to.deep.equal(['kept', 'kept'])
      const forced = await downloadFiles(api, plan, {jobId: 'keep', force: true})
      expect(forced.map((f) => f.outcome)).to.deep.equal(['downloaded', 'downloaded'])
    })

    it('never sends the API key to a storage host, and reports expired links with exit 5', async () => {
      server.addJob('signed', {statuses: ['succeeded'], foreignFiles: true, files: [{name: 'a.csv', body: 'x\n'}]})
      const urls = await urlsOf('signed')
      expect(urls[0].startsWith(server.storageUrl)).to.equal(true)
      await downloadFiles(api, await planDownload(urls, {jobId: 'signed', out: dir, cwd: dir}), {jobId: 'signed'})
      const storageHits = server.seen.filter((s) => s.host === 'storage')
      expect(storageHits).to.have.length(1)
      expect(storageHits[0].authorization).to.equal(undefined)
      server.jobs.get('signed')!.files = []
      const err: unknown = await downloadFiles(api, await planDownload(urls, {jobId: 'signed', out: path.join(dir, 'again'), cwd: dir}), {jobId: 'signed'}).catch((error) => error)
      assert.instanceOf(err, IvrError)
      expect(err.exitCode).to.equal(5)
      expect(err.message).to.contain('no longer valid')
    })
  })
})
