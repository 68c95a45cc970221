// `npm test`'s static checks: the typecheck and the lint run at once (each mostly waits on its own
// core), not one after the other. Each one's output is printed whole when it ends; the exit is
// non-zero when either failed.
import {spawn} from 'node:child_process'

const npm = process.env.npm_execpath
const checks = ['typecheck', 'lint']

function run(script) {
  const [command, args] = npm ? [process.execPath, [npm, 'run', '--silent', script]] : ['npm', ['run', '--silent', script]]
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', (error) => resolve({script, code: 1, output: `${output}${error.message}\n`, ms: Date.now() - started}))
    child.on('close', (code, signal) => resolve({script, code: code ?? (signal ? 1 : 0), output, ms: Date.now() - started}))
  })
}

const results = await Promise.all(checks.map(run))
for (const {script, code, output, ms} of results) {
  process.stdout.write(`${script}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${(ms / 1000).toFixed(1)} s\n`)
  if (output.trim()) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`)
}
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0
