import {expect} from 'chai'
import {parse} from 'csv-parse/sync'
import {mkdtempSync, promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {discoveryFile} from '../../../src/lib/sandbox/connect.js'
import {startSandbox} from '../../../src/lib/sandbox/server.js'
import {runBin, runIvr} from '../../helpers/run.js'
import {announceSandbox} from '../../helpers/sandbox.js'

// The whole cycle against the sandbox, through `--sandbox`: one sandbox for the file, found by the
// commands through its discovery file, with sessions seeded in October 2026.
describe('logs and recordings against the sandbox', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>
  let dir: string
  const dataDir = process.env.IVR_DATA_DIR as string
  const fast = ['--poll-interval', '5ms']
  const control = (method: string, what: string, body?: unknown) => fetch(`${sb.baseUrl}/sandbox/subaccounts/${sb.subAccountId}/${what}`, {
    method, headers: {authorization: `Bearer ${sb.apiKey}`, 'content-type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => {
    if (!r.ok) throw new Error(`${method} ${what}: ${r.status} ${await r.text()}`)
    return r.json()
  })
  const behave = (b: Record<string, unknown>) => control('POST', 'exports/behaviour', b)

  before(async () => {
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    await announceSandbox(dataDir, sb)
    await control('POST', 'sessions/seed', {count: 40, from: '2026-10-01', to: '2026-10-11'})
  })
  after(async () => {
    await fs.rm(discoveryFile(dataDir), {force: true})
    await sb.close()
  })
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ivr-logs-sbx-'))
    await control('DELETE', 'exports/behaviour')
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it('exports a range into several files and sums them up exactly as the CSV says', async () => {
    await behave({rowsPerFile: 15})
    const r = await runIvr(['logs', 'export', '--sandbox', '--from', '2026-10-01', '--to', '2026-10-10', '--out', dir, '--summary', '--json', ...fast])
    expect(r.exitCode, r.stdout).to.equal(0)
    const out = JSON.parse(r.stdout)
    expect(out.status).to.equal('succeeded')
    expect(out.files.length).to.be.greaterThan(1)

    // The expected figures, from the downloaded files read by another CSV parser.
    const rows: Array<Record<string, string>> = []
    for (const f of out.files) rows.push(...parse(await fs.readFile(f.path), {columns: true}))
    const tenth = (s: string) => Math.round(Number(s) * 10_000)
    const byDay = new Map<string, number>()
    for (const row of rows) byDay.set(row.InitiatedAt.slice(0, 10), (byDay.get(row.InitiatedAt.slice(0, 10)) ?? 0) + 1)
    expect(out.summary.calls).to.equal(rows.length)
    expect(out.summary.answered).to.equal(rows.filter((row) => row.ConnectedAt !== '').length)
    expect(out.summary.billableSeconds).to.equal(rows.reduce((t, row) => t + Number(row.BillableDurationInSec), 0))
    expect(out.summary.cost).to.deep.equal([{currency: 'USD', amount: rows.reduce((t, row) => t + tenth(row.TotalPriceOfCall), 0) / 10_000}])
    expect(Object.fromEntries(out.summary.byDay.map((d: {key: string; calls: number}) => [d.key, d.calls]))).to.deep.equal(Object.fromEntries([...byDay].sort()))
    // --to as a day takes in that whole day, and nothing after it.
    expect([...byDay.keys()].sort().at(-1)).to.equal('2026-10-10')

    // `logs summarize` on the same files says the same.
    const again = await runIvr(['logs', 'summarize', ...out.files.map((f: {path: string}) => f.path), '--json'])
    const {files: _f, ...fromFiles} = JSON.parse(again.stdout)
    const {files: _g, ...fromExport} = out.summary
    expect(fromFiles).to.deep.equal(fromExport)
  })

  it('saves the export with every cell a spreadsheet would run as a formula defused, every other byte as served (OWASP leading characters)', async () => {
    // What the platform would record for spoofed caller ids: each OWASP leading character, quoted or not in the CSV.
    const hostile = ['=HYPERLINK("http://evil.example","x")', '+1+cmd', '-2+3+cmd|"/C calc"!A0', '@SUM(1+1)', '\t=1+2', '\r=1+2', ' =1+2']
    await control('POST', 'sessions/seed', {count: 14, from: '2026-09-01', to: '2026-09-02', sources: hostile})
    const r = await runIvr(['logs', 'export', '--sandbox', '--from', '2026-09-01', '--to', '2026-09-02', '--out', dir, '--json', ...fast])
    expect(r.exitCode, r.stderr).to.equal(0)
    const [file] = JSON.parse(r.stdout).files
    const saved = await fs.readFile(file.path, 'utf8')
    const rows: Array<Record<string, string>> = parse(saved, {columns: true})
    expect(rows).to.have.length(14)
    expect([...new Set(rows.map((row) => row.SourceEndpoint))].sort()).to.deep.equal(hostile.map((h) => `'${h}`).sort())
    expect(file.guarded).to.equal(14)
    // Nothing else changed: the file as the sandbox serves it, but for the apostrophes.
    const {jobId} = JSON.parse(r.stdout)
    const served = await (await fetch(`${sb.baseUrl}/sandbox/exports/${jobId}/part-1.csv`)).text()
    let expected = served
    for (const h of hostile) expected = expected.split(/[\r",]/.test(h) ? `,"${h.replace(/"/g, '""')}",` : `,${h},`).join(/[\r",]/.test(h) ? `,"'${h.replace(/"/g, '""')}",` : `,'${h},`)
    expect(expected).not.to.equal(served)
    expect(saved).to.equal(expected)
    // Said on a terminal; and the same file again when downloaded later by job id.
    const again = await runIvr(['logs', 'download', jobId, '--sandbox', '--out', path.join(dir, 'again'), ...fast])
    expect(again.stderr).to.contain('14 cells a spreadsheet would run as a formula, defused with a leading apostrophe')
    expect(await fs.readFile(again.stdout.trim(), 'utf8')).to.equal(saved)
    // Plain numbers (prices, E.164 numbers) are left as they are.
    expect(rows.every((row) => !row.DestinationEndpoint.startsWith("'") && !row.TotalPriceOfCall.startsWith("'"))).to.equal(true)
  })

  it('reports empty, failed and error outcomes with their exit codes', async () => {
    let r = await runIvr(['logs', 'export', '--sandbox', '--from', '2020-01-01', '--to', '2020-01-02', '--out', dir, ...fast])
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('No calls in 2020-01-01 → 2020-01-02')
    await behave({outcome: 'failed'})
    r = await runIvr(['logs', 'export', '--sandbox', '--since', '60d', '--out', dir, ...fast])
    expect([r.exitCode, r.stderr.includes('could not build the report')]).to.deep.equal([6, true])
    await behave({outcome: 'error'})
    r = await runIvr(['logs', 'export', '--sandbox', '--since', '60d', '--out', dir, ...fast])
    expect([r.exitCode, r.stderr.includes('internal error')]).to.deep.equal([6, true])
    expect(await fs.readdir(dir)).to.deep.equal([])
  })

  it('starts without waiting, then status, download (twice) and cancel by job id', async () => {
    await behave({rowsPerFile: 25, polls: 3})
    let r = await runIvr(['logs', 'export', '--sandbox', '--from', '2026-10-01', '--to', '2026-10-11', '--no-wait'])
    const jobId = r.stdout.trim()
    expect(jobId).to.have.length.greaterThan(8)
    r = await runIvr(['logs', 'status', jobId, '--sandbox'])
    expect(r.stdout).to.match(/Status:\s+(queued|running)/)
    r = await runIvr(['logs', 'download', jobId, '--sandbox', '--out', dir, ...fast])
    expect(r.exitCode, r.stderr).to.equal(0)
    const paths = r.stdout.trim().split('\n')
    expect(paths).to.have.length(2)
    const sizes = await Promise.all(paths.map(async (p) => (await fs.stat(p)).size))
    r = await runIvr(['logs', 'download', jobId, '--sandbox', '--out', dir, '--json'])
    expect(JSON.parse(r.stdout).files.map((f: {outcome: string; bytes: number}) => [f.outcome, f.bytes])).to.deep.equal(sizes.map((s) => ['kept', s]))

    await behave({polls: 5})
    r = await runIvr(['logs', 'export', '--sandbox', '--since', '60d', '--no-wait'])
    const toCancel = r.stdout.trim()
    r = await runIvr(['logs', 'cancel', toCancel, '--sandbox', '--yes'])
    expect(r.exitCode).to.equal(0)
    r = await runIvr(['logs', 'download', toCancel, '--sandbox', '--out', dir, ...fast])
    expect(r.exitCode).to.equal(1)
    expect(r.stderr).to.contain('was cancelled')
  })

  it('recordings config round trip with the password never printed', async () => {
    const password = 'sbx-Pa55word-never-shown'
    let r = await runIvr(['recordings', 'config', 'show', '--sandbox'])
    expect(r.stdout).to.contain('No recording push destination')
    r = await runBin(['recordings', 'config', 'set', '--sandbox', '--protocol', 'sftp', '--host', 'files.example.com', '--user', 'ivr', '--path', '/rec', '--password-stdin'], {input: password})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout + r.stderr).not.to.contain(password)
    r = await runIvr(['recordings', 'config', 'show', '--sandbox', '--json'])
    expect(JSON.parse(r.stdout)).to.deep.equal({configured: true, protocol: 'sftp', host: 'files.example.com', port: 22, username: 'ivr', path: '/rec', passwordSet: true})
    r = await runIvr(['recordings', 'config', 'show', '--sandbox'])
    expect(r.stdout).to.match(/Password:\s+set/).and.not.contain(password)
    r = await runIvr(['recordings', 'config', 'delete', '--sandbox', '--yes'])
    expect(r.exitCode).to.equal(0)
    r = await runIvr(['recordings', 'config', 'show', '--sandbox', '--json'])
    expect(JSON.parse(r.stdout).configured).to.equal(false)
  })
})
