// The build: TypeScript to dist/, oclif's command manifest, the fast start's bundle (scripts/bundle-fast-start.js) and the help cache (scripts/help-cache.js).
// `--if-stale` (prepare, pretest) skips it when dist/ was built from exactly these sources: a
// fingerprint of every input's content is kept in dist/.build-inputs. That keeps `npm test` and
// the first `npx ivr` after `npm ci` (npm runs prepare again then) from rebuilding for nothing.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const stampFile = path.join(root, 'dist', '.build-inputs')
const INPUTS = ['src', 'bin', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json']

function files(rel) {
  const abs = path.join(root, rel)
  if (!existsSync(abs)) return []
  return statSync(abs).isDirectory() ? readdirSync(abs).flatMap((name) => files(path.join(rel, name))) : [rel]
}

function fingerprint() {
  const hash = createHash('sha256')
  for (const file of INPUTS.flatMap(files).sort()) hash.update(`${file}\0`).update(readFileSync(path.join(root, file))).update('\0')
  return hash.digest('hex')
}

const inputs = fingerprint()
const outputs = ['dist/help-cache.json', 'oclif.manifest.json'].map((f) => path.join(root, f))
if (process.argv.includes('--if-stale') && outputs.every((f) => existsSync(f)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputs) {
  process.exit(0)
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name)
const step = (what, command, args) => {
  const started = Date.now()
  process.stderr.write(`ivr build: ${what}…`)
  // (oclif's own "update available" notice is not news for someone building ivr.)
  execFileSync(command, args, {cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}})
  process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
}
rmSync(path.join(root, 'dist'), {recursive: true, force: true})
step('compiling TypeScript to dist/', bin('tsc'), ['-p', 'tsconfig.json'])
step('writing the command manifest', bin('oclif'), ['manifest'])
step('bundling the fast start', process.execPath, [path.join(root, 'scripts', 'bundle-fast-start.js')])
step('rendering the help cache', process.execPath, [path.join(root, 'scripts', 'help-cache.js')])
writeFileSync(stampFile, inputs)
