// Build step: renders oclif's help (plain, 80 columns) for the root and every command into
// dist/help-cache.json, so bin/fast-path.js can answer --help without loading oclif.
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8'))
const env = {...process.env, NO_COLOR: '1', COLUMNS: '80', IVR_NO_FAST_PATH: '1'}
const run = (args) => execFileSync(process.execPath, [new URL('bin/run.js', root).pathname, ...args], {env, encoding: 'utf8'})

const cache = {'': run(['--help'])}
const topics = new Set()
for (const id of Object.keys(manifest.commands)) {
  const words = id.split(':')
  cache[words.join(' ')] = run([...words, '--help'])
  for (let i = 1; i < words.length; i++) topics.add(words.slice(0, i).join(' '))
}
for (const t of topics) if (!(t in cache)) cache[t] = run([...t.split(' '), '--help'])
writeFileSync(new URL('dist/help-cache.json', root), JSON.stringify(cache))
console.log(`help cache: ${Object.keys(cache).length} entries`)
