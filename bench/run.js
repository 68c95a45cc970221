// npm run bench: every figure is printed beside a baseline measured in the same run, as a ratio.
// Parts written by other modules (bench/*.ts) are run in turn when present.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const RUNS = Number(process.env.BENCH_RUNS || 15)

function timeOnce(args, env = {}) {
  const t = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {cwd: root, env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Interleaves the cases run by run, so drift in machine load hits all of them alike. */
function measure(cases) {
  const samples = cases.map(() => [])
  for (const c of cases) timeOnce(c.args, c.env) // warm the file cache
  for (let i = 0; i < RUNS; i++) cases.forEach((c, j) => samples[j].push(timeOnce(c.args, c.env)))
  return cases.map((c, j) => ({...c, median: median(samples[j])}))
}

if (!existsSync(path.join(root, 'dist', 'commands'))) {
  console.error('dist/ is missing: run `npm run build` (npm ci does it) first.')
  process.exit(1)
}

console.log(`startup (median of ${RUNS} runs each, ratio to \`node -e 0\`; target <= 2.0x)`)
const bin = path.join('bin', 'run.js')
// The commands that need no network, on empty folders (no account, an empty session store).
const empty = mkdtempSync(path.join(tmpdir(), 'ivr-bench-'))
const offline = {NODE_ENV: 'production', IVR_CONFIG_DIR: path.join(empty, 'config'), IVR_DATA_DIR: path.join(empty, 'data'), IVR_CACHE_DIR: path.join(empty, 'cache')}
const results = measure([
  {name: 'node -e 0', args: ['-e', '0']},
  {name: 'ivr --version', args: [bin, '--version']},
  {name: 'ivr --help', args: [bin, '--help']},
  {name: 'ivr profiles list --help', args: [bin, 'profiles', 'list', '--help']},
  {name: 'ivr --help (oclif, no cache)', args: [bin, '--help'], env: {IVR_NO_FAST_PATH: '1'}},
  {name: 'ivr codes', args: [bin, 'codes'], env: offline},
  {name: 'ivr codes (oclif, no bundle)', args: [bin, 'codes'], env: {...offline, IVR_NO_FAST_PATH: '1'}},
  {name: 'ivr accounts list', args: [bin, 'accounts', 'list'], env: offline},
  {name: 'ivr callflow validate FILE', args: [bin, 'callflow', 'validate', 'examples/callflows/simple-ivr.json'], env: offline},
  {name: 'ivr menu check MENU', args: [bin, 'menu', 'check', 'examples/menus/restaurant.yaml'], env: offline},
  {name: 'ivr sessions list (empty store)', args: [bin, 'sessions', 'list', '--store', path.join(empty, 'data', 'empty.ndjson')], env: offline},
])
rmSync(empty, {recursive: true, force: true})
const base = results[0].median
for (const r of results) console.log(`  ${r.name.padEnd(32)} ${r.median.toFixed(1).padStart(7)} ms  ${(r.median / base).toFixed(2)}x`)

// `npm run bench -- startup` stops here: the startup figures alone, in seconds.
if (process.argv.includes('startup')) process.exit(0)
const parts = readdirSync(path.join(root, 'bench')).filter((f) => f.endsWith('.ts')).sort()
for (const part of parts) {
  console.log(`\n${part.replace(/\.ts$/, '')}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--no-warnings', path.join('bench', part)], {cwd: root, stdio: 'inherit', env: {...process.env, NODE_ENV: 'production'}})
  if (r.status !== 0) console.log(`  (${part} exited ${r.status})`)
}
