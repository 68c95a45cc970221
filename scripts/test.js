// `npm test`: the static checks (scripts/checks.js: typecheck and lint) and the mocha suite run at once;
// most of the suite's time is waiting on child processes and servers, not the CPU. Mocha runs its files
// in worker processes (--parallel, JOBS at a time), the slowest files first so that none of them starts
// last and runs alone. The checks' output is printed after mocha's; the exit is non-zero if either failed.
import {spawn} from 'node:child_process'
import {readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const JOBS = 3
// Measured the slowest (under load; 10-45 s each), slowest first; a file missing here only runs later, never not at all.
const SLOWEST_FIRST = [
  'test/commands/campaign/runner-takeover-sandbox.test.ts',
  'test/commands/campaign/runner-takeover-account.test.ts',
  'test/commands/campaign/run-cli.test.ts',
  'test/bin/fast-path.test.ts',
  'test/lib/analytics/population.test.ts',
  'test/commands/sessions/one-receiver.test.ts',
  'test/commands/accounts.test.ts',
  'test/commands/campaign/menu-runners.test.ts',
  'test/commands/campaign/kill-loop.test.ts',
  'test/lib/campaign/postgres-journal.test.ts',
  'test/commands/campaign/cli.test.ts',
  'test/commands/campaign/postgres-runners.test.ts',
  'test/commands/sessions/tail.test.ts',
  'test/commands/sandbox/sandbox.test.ts',
]

const all = readdirSync(path.join(root, 'test'), {recursive: true})
  .map((f) => path.join('test', String(f)).split(path.sep).join('/'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
const files = [...SLOWEST_FIRST.filter((f) => all.includes(f)), ...all.filter((f) => !SLOWEST_FIRST.includes(f))]

function run(command, args, stdio) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {cwd: root, stdio})
    let output = ''
    child.stdout?.on('data', (d) => (output += d))
    child.stderr?.on('data', (d) => (output += d))
    child.on('error', (error) => resolve({code: 1, output: `${output}${error.message}\n`}))
    child.on('close', (code, signal) => resolve({code: code ?? (signal ? 1 : 0), output}))
  })
}

const [mocha, checks] = await Promise.all([
  run(process.execPath, [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--parallel', '--jobs', String(JOBS), ...files], 'inherit'),
  run(process.execPath, [path.join(root, 'scripts', 'checks.js')], ['ignore', 'pipe', 'pipe']),
])
process.stdout.write(`\n${checks.output}`)
process.exitCode = mocha.code !== 0 ? mocha.code : checks.code
