// Analytics at scale: `menu stats` over about 1,000,000 decisions and 310,000 session summaries
// (a month of a busy line through the restaurant menu), beside a plain read of the same two files
// counting their lines; and the size of `report --html` for that month, beside the same report
// for a tenth of the calls (its size should depend on days and nodes, not on calls), and the
// report made for real over a month of 1,000,000 sessions (the bound: < 2 MB).
//   node --import tsx bench/analytics.ts        (BENCH_ANALYTICS_SESSIONS, BENCH_REPORT_SESSIONS: other sizes)
import {spawnSync} from 'node:child_process'
import {createReadStream, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {loadRestaurant, RESTAURANT, writeTraffic} from '../test/helpers/analytics-data.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SESSIONS = Number(process.env.BENCH_ANALYTICS_SESSIONS || 310_000)
const REPORT_SESSIONS = Number(process.env.BENCH_REPORT_SESSIONS || 1_000_000)
const dir = mkdtempSync(path.join(tmpdir(), 'ivr-bench-analytics-'))
const f = (n: number) => Math.round(n).toLocaleString('en-US')

/** Runs the built CLI; wall time, and the peak RSS the child reports as it exits. */
function cli(args: string[]): {ms: number; maxRssMb: number; stdout: string} {
  const t = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['--require', path.join(root, 'bench', 'lib', 'max-rss.cjs'), path.join(root, 'bin', 'run.js'), ...args], {cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, env: {...process.env, NO_COLOR: '1'}})
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (r.status !== 0) throw new Error(`ivr ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  const kb = Number(/max-rss-kb (\d+)/.exec(r.stderr)?.[1] ?? Number.NaN)
  return {ms, maxRssMb: kb / 1024, stdout: r.stdout}
}

async function countLines(file: string): Promise<number> {
  let n = 0
  for await (const chunk of createReadStream(file, {highWaterMark: 1 << 20}) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++
  }
  return n
}

try {
  const menu = await loadRestaurant()
  const files = (name: string) => ({decisionsFile: path.join(dir, name, 'decisions.ndjson'), storeFile: path.join(dir, name, 'sessions.ndjson')})
  const big = files('month')
  const t0 = Date.now()
  const made = await writeTraffic(menu, {sessions: SESSIONS, start: '2026-11-01T00:00:00Z', days: 30, seed: 5, ...big})
  const small = files('tenth')
  await writeTraffic(menu, {sessions: Math.round(SESSIONS / 10), start: '2026-11-01T00:00:00Z', days: 30, seed: 6, ...small})
  const mb = (statSync(big.decisionsFile).size + statSync(big.storeFile).size) / 1e6
  console.log(`  made ${f(made.decisions)} decisions and ${f(made.summaries)} summaries (${f(mb)} MB) in ${((Date.now() - t0) / 1000).toFixed(0)} s`)

  const c0 = process.hrtime.bigint()
  const lines = (await countLines(big.decisionsFile)) + (await countLines(big.storeFile))
  const countMs = Number(process.hrtime.bigint() - c0) / 1e6
  // The same command over empty files: its start-up, which the figure below includes.
  const empty = path.join(dir, 'empty.ndjson')
  const idle = cli(['menu', 'stats', RESTAURANT, '--decisions', empty, '--store', empty, '--json'])
  const stats = cli(['menu', 'stats', RESTAURANT, '--decisions', big.decisionsFile, '--store', big.storeFile, '--json'])
  const sessions = JSON.parse(stats.stdout).sessions
  const met = stats.ms < 5000 && stats.maxRssMb < 300 ? 'met' : 'NOT met'
  console.log(`  menu stats, ${f(made.decisions)} decisions + ${f(made.summaries)} summaries (${f(sessions)} sessions joined): ${(stats.ms / 1000).toFixed(2)} s, peak RSS ${f(stats.maxRssMb)} MB (target < 5 s, < 300 MB: ${met})`)
  console.log(`  (of which start-up, the same command over empty files: ${(idle.ms / 1000).toFixed(2)} s, peak RSS ${f(idle.maxRssMb)} MB)`)
  console.log(`  counting the ${f(lines)} lines of both files alone: ${(countMs / 1000).toFixed(2)} s; ratio ${(stats.ms / countMs).toFixed(2)}`)

  const report = (name: string, p: {decisionsFile: string; storeFile: string}) => {
    const out = path.join(dir, `${name}.html`)
    const r = cli(['report', '--html', out, '--store', p.storeFile, '--decisions', p.decisionsFile, '--menu', RESTAURANT])
    return {...r, bytes: statSync(out).size}
  }
  const month = report('month', big)
  const tenth = report('tenth', small)
  console.log(`  report --html, a month of ${f(made.summaries)} sessions with the menu: ${(month.bytes / 1024).toFixed(1)} KB in ${(month.ms / 1000).toFixed(2)} s, peak RSS ${f(month.maxRssMb)} MB (target: a month of 1,000,000 sessions < 2 MB)`)
  console.log(`  the same month with a tenth of the calls: ${(tenth.bytes / 1024).toFixed(1)} KB; size ratio ${(month.bytes / tenth.bytes).toFixed(3)} (the page holds aggregates: days, hours, bands, nodes, top paths)`)

  // The bound made for real: a month of a million sessions (about 1.3 GB of summaries and 0.7 GB of decisions).
  rmSync(path.join(dir, 'month'), {recursive: true, force: true})
  const million = files('million')
  const m0 = Date.now()
  const many = await writeTraffic(menu, {sessions: REPORT_SESSIONS, start: '2026-11-01T00:00:00Z', days: 30, seed: 7, ...million})
  console.log(`  made ${f(many.decisions)} decisions and ${f(many.summaries)} summaries in ${((Date.now() - m0) / 1000).toFixed(0)} s`)
  const full = report('million', million)
  console.log(`  report --html, a month of ${f(many.summaries)} sessions with the menu: ${(full.bytes / 1024).toFixed(1)} KB in ${(full.ms / 1000).toFixed(2)} s, peak RSS ${f(full.maxRssMb)} MB (target < 2 MB: ${full.bytes < 2 * 1024 * 1024 ? 'met' : 'NOT met'}); ratio to the tenth's size ${(full.bytes / tenth.bytes).toFixed(3)}`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
