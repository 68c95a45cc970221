// `logs summarize` over a generated 1,000,000-row export CSV (target: < 5 s, peak RSS < 150 MB),
// beside a bare node stream that only counts the file's lines (the floor for reading it at all).
// Run: node --import tsx bench/logs.ts [rows]
import {spawn} from 'node:child_process'
import {createWriteStream, mkdtempSync, promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const rows = Number(process.argv[2] ?? 1_000_000)

export const EXPORT_HEADER = [
  'SessionId', 'CallId', 'AccountId', 'SubAccountId', 'Direction', 'SourceCountryCode', 'SourceCountry', 'SourceOperator', 'SourceMCC', 'SourceMNC',
  'SourceEndpoint', 'DestinationCountryCode', 'DestinationCountry', 'DestinationOperator', 'DestinationMCC', 'DestinationMNC', 'DestinationEndpoint',
  'InitiatedAt', 'ConnectedAt', 'DisconnectedAt', 'DurationInSec', 'Product', 'BillingUnit', 'BillingIncrement', 'BillableDurationInSec', 'UnitPrice',
  'UnitPriceCurrency', 'TotalPriceOfCall', 'CallType', 'SipStatus', 'SessionStatus', 'CallStatus', 'TTSLength', 'MOS', 'Content',
]

const countries = [['65', 'Singapore', '525'], ['44', 'United Kingdom', '234'], ['1', 'United States', '310'], ['63', 'Philippines', '515']]
const hex = (n: number, w: number) => n.toString(16).padStart(w, '0').slice(-w)

/** Writes a realistic export CSV of `count` rows (a few with quoted JSON content) and returns its size in bytes. */
export async function generateExportCsv(file: string, count: number): Promise<number> {
  const out = createWriteStream(file)
  let buf = EXPORT_HEADER.join(',') + '\n'
  const day0 = Date.UTC(2026, 10, 1)
  for (let i = 0; i < count; i++) {
    const [cc, name, mcc] = countries[i % countries.length]
    const answered = i % 5 !== 0
    const t0 = day0 + (i % 30) * 86_400_000 + (i % 86_400) * 1000
    const dur = answered ? 10 + (i % 170) : 0
    const billable = answered ? Math.ceil(dur / 60) * 60 : 0
    const price = answered ? ((billable / 60) * 0.0123).toFixed(4) : '0'
    const id = `${hex(i, 8)}-0000-4000-8000-${hex(i * 7919, 12)}`
    const content = i % 20 === 0 ? '"[{""action"":""makeCall"",""params"":{""source"":""+6512345678"",""destination"":""+6598765432""}},{""action"":""say""}]"' : ''
    buf += [
      id, `c${id}`, 'acme', 'acme-support', 'OUTBOUND', '65', 'Singapore', 'Singtel', '525', '01', '+6512345678', cc, name, 'Operator', mcc, '02',
      `+${cc}9${String(i % 10_000_000).padStart(7, '0')}`, new Date(t0).toISOString(), answered ? new Date(t0 + 5000).toISOString() : '',
      new Date(t0 + 5000 + dur * 1000).toISOString(), dur, i % 3 === 0 ? 'VoiceIVR' : 'VoiceCallflow', 'minute', '60+60', billable, '0.0123',
      i % 50 === 1 ? 'EUR' : 'USD', price, 'PSTN', answered ? 200 : 486, answered ? 'COMPLETED' : 'BUSY', answered ? 'COMPLETED' : 'BUSY', 120, '4.3', content,
    ].join(',') + '\n'
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()))
      buf = ''
    }
  }
  out.end(buf)
  await new Promise<void>((r) => out.on('finish', () => r()))
  return (await fs.stat(file)).size
}

/** Runs a node child with a hook that reports its peak RSS; returns wall time, peak RSS and stdout. */
function runMeasured(args: string[], hook: string): Promise<{ms: number; rssMb: number; stdout: string; code: number | null}> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const m = /PEAK_RSS_KB (\d+)/.exec(stderr)
      if (code !== 0) process.stderr.write(stderr)
      resolve({ms, rssMb: m ? Number(m[1]) / 1024 : Number.NaN, stdout, code})
    })
  })
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ivr-bench-logs-'))
  try {
    const file = path.join(dir, 'export.csv')
    const bytes = await generateExportCsv(file, rows)
    const hook = path.join(dir, 'rss-hook.mjs')
    await fs.writeFile(hook, "process.on('exit', () => process.stderr.write(`PEAK_RSS_KB ${process.resourceUsage().maxRSS}\\n`))\n")
    const counter = path.join(dir, 'count-lines.mjs')
    await fs.writeFile(counter, `import {createReadStream} from 'node:fs'
let n = 0
for await (const c of createReadStream(process.argv[2], {highWaterMark: 1 << 20})) { let i = -1; while ((i = c.indexOf(10, i + 1)) !== -1) n++ }
console.log(n)
`)
    const base = await runMeasured([counter, file], hook)
    // The built CLI, as users run it (npm run build); from source through tsx when there is no build.
    const built = await fs.stat(path.join(root, 'dist', 'commands', 'logs', 'summarize.js')).then(() => true, () => false)
    const entry = built ? [path.join(root, 'bin', 'run.js')] : ['--import', 'tsx', '--no-warnings', path.join(root, 'bin', 'dev.mjs')]
    const cli = await runMeasured([...entry, 'logs', 'summarize', file, '--json'], hook)
    if (cli.code !== 0) throw new Error(`ivr logs summarize exited ${cli.code}`)
    const summary = JSON.parse(cli.stdout)
    if (summary.calls !== rows) throw new Error(`summarize counted ${summary.calls} calls, expected ${rows}`)
    const mb = bytes / 1024 / 1024
    const target = !built ? 'the target (< 5 s, < 150 MB) is for the built CLI: run npm run build first'
      : cli.ms < 5000 && cli.rssMb < 150 ? 'within target (< 5 s, < 150 MB)' : 'OUTSIDE target (< 5 s, < 150 MB)'
    console.log(`logs summarize${built ? '' : ' (from source, no build)'}: ${rows.toLocaleString('en-US')} rows (${mb.toFixed(0)} MB) in ${(cli.ms / 1000).toFixed(2)} s, ${(rows / (cli.ms / 1000) / 1000).toFixed(0)}k rows/s, peak RSS ${cli.rssMb.toFixed(0)} MB; ${target}`)
    console.log(`baseline: bare node line count of the same file in ${(base.ms / 1000).toFixed(2)} s, peak RSS ${base.rssMb.toFixed(0)} MB (time ratio ${(cli.ms / base.ms).toFixed(1)})`)
  } finally {
    await fs.rm(dir, {recursive: true, force: true})
  }
}

// A file that is only a data source (imported for EXPORT_HEADER) must not run the benchmark.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
