import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {cliSpawnArgs, runBin, runIvr} from '../../helpers/run.js'
import {startExportServer, type ExportServer} from '../../lib/logs/export-server.js'

// Outcomes on demand and faults (cut transfers, storage hosts): against a scripted loopback server.
// The same commands run against the sandbox in sandbox.test.ts.
const CSV_HEADER = 'SessionId,InitiatedAt,ConnectedAt,BillableDurationInSec,TotalPriceOfCall,UnitPriceCurrency,DestinationCountry,Product'
const fast = ['--poll-interval', '5ms']

describe('logs export / status / download / cancel (scripted server)', () => {
  let server: ExportServer
  let dir: string
  before(async () => {
    server = await startExportServer()
  })
  after(() => server.close())
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ivr-logs-cmd-'))
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  const run = (args: string[]) => runIvr(args, {env: server.env})

  it('checks the range before asking anything (exit 4, no request)', async () => {
    const before = server.seen.length
    const r = await run(['logs', 'export', '--from', '2026-11-20', '--to', '2026-11-01'])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('is not before --to')
    const bad = await run(['logs', 'export', '--from', 'tuesday'])
    expect(bad.exitCode).to.equal(4)
    expect(bad.stderr).to.contain('7d')
    expect(server.seen.length).to.equal(before)
  })

  it('--no-wait prints only the job id on stdout and sends the range the API documents', async () => {
    const r = await run(['logs', 'export', '--from', '2026-11-01', '--to', '2026-11-08T12:00:00+07:00', '--limit', '500', '--no-wait'])
    expect(r.exitCode).to.equal(0)
    const jobId = r.stdout.trim()
    expect(jobId).to.match(/^job\d{4}/)
    expect(r.stderr).to.contain(`ivr logs download ${jobId}`)
    const post = server.seen.filter((s) => s.method === 'POST').at(-1)!
    expect(post.body).to.deep.equal({from: '2026-11-01', to: '2026-11-08T12:00:00+07:00', limit: 500})
  })

  it('waits, downloads several files, prints their paths, and sums them up', async () => {
    const rows1 = `${CSV_HEADER}\ns1,2026-11-20T10:00:00Z,2026-11-20T10:00:03Z,120,0.0246,USD,Singapore,VoiceIVR\n`
    const rows2 = `${CSV_HEADER}\ns2,2026-11-21T09:00:00Z,,0,0,USD,Philippines,VoiceIVR\ns3,2026-11-21T09:05:00Z,2026-11-21T09:05:02Z,60,0.5,EUR,Philippines,VoiceCallflow\n`
    server.nextJob({statuses: ['queued', 'running', 'running', 'succeeded'], files: [{name: 'a.csv', body: rows1}, {name: 'b.csv', body: rows2}]})
    const r = await run(['logs', 'export', '--since', '7d', '--out', dir, '--summary', ...fast])
    expect(r.exitCode, r.stderr).to.equal(0)
    const paths = r.stdout.split('\n').filter((l) => l.startsWith(dir))
    expect(paths).to.have.length(2)
    expect(await fs.readFile(paths[0], 'utf8')).to.equal(rows1)
    expect(await fs.readFile(paths[1], 'utf8')).to.equal(rows2)
    expect(r.stdout).to.match(/Calls:\s+3/).and.match(/Answered:\s+2/).and.match(/Billable:\s+3\.00 min/)
    expect(r.stdout).to.contain('0.50 EUR + 0.0246 USD')
    expect(r.stdout).to.match(/Philippines\s+2\s+1\s+1\.00\s+0\.50 EUR \+ 0\.00 USD/)
    // Progress went to stderr, one line per status (no TTY here).
    expect(r.stderr).to.match(/queued/).and.match(/running/).and.match(/succeeded: 2 files/)
    expect(r.stderr).not.to.contain('\u001B[')
  })

  it('--json prints one JSON document with the job, the files and the summary', async () => {
    server.nextJob({statuses: ['succeeded'], files: [{name: 'a.csv', body: `${CSV_HEADER}\ns1,2026-11-20T10:00:00Z,2026-11-20T10:00:03Z,60,0.0123,USD,Singapore,VoiceIVR\n`}]})
    const r = await run(['logs', 'export', '--out', path.join(dir, 'week.csv'), '--summary', '--json', ...fast])
    expect(r.exitCode).to.equal(0)
    const out = JSON.parse(r.stdout)
    expect(out.status).to.equal('succeeded')
    expect(out.files).to.deep.equal([{path: path.join(dir, 'week.csv'), bytes: Buffer.byteLength(`${CSV_HEADER}\ns1,2026-11-20T10:00:00Z,2026-11-20T10:00:03Z,60,0.0123,USD,Singapore,VoiceIVR\n`), outcome: 'downloaded'}])
    expect(out.summary.cost).to.deep.equal([{currency: 'USD', amount: 0.0123}])
    expect(r.stderr).to.equal('')
  })

  for (const [status, exitCode, words] of [['empty', 5, 'No calls'], ['failed', 6, 'failed'], ['error', 6, 'internal error'], ['cancelled', 1, 'was cancelled']] as const) {
    it(`reports a job that ends ${status} with exit ${exitCode}`, async () => {
      server.nextJob({statuses: ['queued', status]})
      server.nextJob({statuses: [status]})
      const r = await run(['logs', 'export', '--since', '1d', '--out', dir, ...fast])
      expect(r.exitCode).to.equal(exitCode)
      expect(r.stderr).to.contain(words).and.match(/job\d{4}/)
      expect(await fs.readdir(dir)).to.deep.equal([])
      const json = await run(['logs', 'export', '--since', '1d', '--json', ...fast])
      expect(JSON.parse(json.stdout).error.code).to.equal(`EXPORT_${status.toUpperCase()}`)
    })
  }

  it('status, download and cancel finish the work later by job id', async () => {
    server.addJob('later-1', {statuses: ['running', 'running', 'succeeded'], files: [{name: 'a.csv', body: `${CSV_HEADER}\n`}]})
    let r = await run(['logs', 'status', 'later-1'])
    expect(r.stdout).to.match(/Status:\s+running/)
    r = await run(['logs', 'status', 'later-1', '--wait', '--json', ...fast])
    expect(JSON.parse(r.stdout)).to.include({jobId: 'later-1', status: 'succeeded'})
    r = await run(['logs', 'download', 'later-1', '--out', dir])
    expect(r.exitCode).to.equal(0)
    expect(r.stdout.trim()).to.equal(path.join(dir, 'ivr-logs-later-1.csv'))
    // Again: the file is there already, nothing is fetched twice.
    const fetched = server.seen.filter((s) => s.path.startsWith('/files/later-1/')).length
    r = await run(['logs', 'download', 'later-1', '--out', dir])
    expect(r.stderr).to.contain('Already downloaded')
    expect(server.seen.filter((s) => s.path.startsWith('/files/later-1/')).length).to.equal(fetched)

    server.addJob('later-2', {statuses: ['running']})
    r = await run(['logs', 'cancel', 'later-2'])
    expect(r.exitCode, 'no terminal to confirm on, no --yes').to.equal(2)
    expect(r.stderr).to.contain('--yes')
    expect(server.jobs.get('later-2')!.cancelled).not.to.equal(true)
    r = await run(['logs', 'cancel', 'later-2', '--yes'])
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('Cancelled export job later-2')
    expect(server.jobs.get('later-2')!.cancelled).to.equal(true)
    r = await run(['logs', 'cancel', 'later-2', '--yes'])
    expect(r.stdout).to.contain('already ended (cancelled)')

    r = await run(['logs', 'status', 'no-such-job'])
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('No export job no-such-job')
  })

  it('download refuses links past their expiry (exit 5) and says to start again', async () => {
    server.addJob('old-1', {statuses: ['succeeded'], files: [{name: 'a.csv', body: `${CSV_HEADER}\n`}], expires: '2020-01-01T00:00:00Z'})
    const r = await run(['logs', 'download', 'old-1', '--out', dir])
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('expired on 2020-01-01T00:00:00Z').and.contain('ivr logs export')
    expect(server.seen.some((s) => s.path.startsWith('/files/old-1/'))).to.equal(false)
  })

  it('download resumes a file cut off mid-transfer', async () => {
    const body = `${CSV_HEADER}\n` + 's,2026-11-20T10:00:00Z,,0,0,USD,Singapore,VoiceIVR\n'.repeat(2000)
    server.addJob('cut-1', {statuses: ['succeeded'], files: [{name: 'a.csv', body}], cutAfterBytes: 20_000})
    let r = await run(['logs', 'download', 'cut-1', '--out', dir])
    expect(r.exitCode).to.equal(6)
    expect(r.stderr).to.contain(`ivr logs download cut-1 --out ${dir}`)
    r = await run(['logs', 'download', 'cut-1', '--out', dir, '--summary'])
    expect(r.exitCode).to.equal(0)
    expect(await fs.readFile(path.join(dir, 'ivr-logs-cut-1.csv'), 'utf8')).to.equal(body)
    expect(r.stdout).to.match(/Calls:\s+2,000/)
  })

  it('summarize reads standard input with -', async () => {
    const csv = `${CSV_HEADER}\ns1,2026-11-20T10:00:00Z,2026-11-20T10:00:03Z,120,0.0246,USD,Singapore,VoiceIVR\ns2,2026-11-20T11:00:00Z,,0,0,USD,Singapore,VoiceIVR\n`
    const r = await runBin(['logs', 'summarize', '-', '--json'], {input: csv})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout)).to.include({calls: 2, answered: 1, billableSeconds: 120})
  })

  describe('Ctrl-C while waiting', () => {
    /** Runs the real CLI, sends SIGINT once the job is being polled, and returns what it printed. */
    function interruptExport(extra: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
      return new Promise((resolve, reject) => {
        const cli = cliSpawnArgs(['logs', 'export', '--since', '1d', ...fast, ...extra])
        const child = spawn(cli.command, cli.args, {
          env: {...process.env, ...cli.env, ...server.env}, stdio: ['pipe', 'pipe', 'pipe'],
        })
        let stdout = ''
        let stderr = ''
        let sent = false
        child.stdout.on('data', (d) => (stdout += d))
        child.stderr.on('data', (d) => {
          stderr += d
          if (!sent && /running/.test(stderr)) {
            sent = true
            child.kill('SIGINT')
          }
        })
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
        child.on('error', reject)
        child.on('close', (code) => {
          clearTimeout(timer)
          resolve({code, stdout, stderr})
        })
        child.stdin.end()
      })
    }

    it('without a terminal leaves the job running and prints its id and how to resume (exit 130)', async () => {
      server.nextJob({statuses: ['running']})
      const r = await interruptExport([])
      expect(r.code).to.equal(130)
      const id = [...server.jobs.keys()].at(-1)!
      expect(r.stderr).to.contain(`Export job ${id} is still running`).and.contain(`ivr logs download ${id}`)
      expect(server.jobs.get(id)!.cancelled).to.equal(false)
    })

    it('with --cancel-on-interrupt cancels the job (exit 130)', async () => {
      server.nextJob({statuses: ['running']})
      const r = await interruptExport(['--cancel-on-interrupt'])
      expect(r.code).to.equal(130)
      const id = [...server.jobs.keys()].at(-1)!
      expect(r.stderr).to.contain(`export job ${id} was cancelled`)
      expect(server.jobs.get(id)!.cancelled).to.equal(true)
    })
  })
})
