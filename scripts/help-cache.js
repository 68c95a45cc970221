// Build step: renders oclif's help (80 columns, plain and coloured) for the root and every command
// into dist/help-cache.json, so bin/fast-path.js can answer --help without loading oclif.
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8'))
const base = {...process.env, COLUMNS: '80', IVR_NO_FAST_PATH: '1'}
delete base.NO_COLOR
delete base.FORCE_COLOR
const variants = {plain: {...base, NO_COLOR: '1'}, color: {...base, FORCE_COLOR: '1'}}
const run = (args, env) => execFileSync(process.execPath, [new URL('bin/run.js', root).pathname, ...args], {env, encoding: 'utf8'})

const keys = ['']
const topics = new Set()
for (const id of Object.keys(manifest.commands)) {
  const words = id.split(':')
  keys.push(words.join(' '))
  for (let i = 1; i < words.length; i++) topics.add(words.slice(0, i).join(' '))
}
for (const t of topics) if (!keys.includes(t)) keys.push(t)
const cache = {}
for (const [name, env] of Object.entries(variants)) {
  cache[name] = {}
  for (const key of keys) cache[name][key] = run([...(key ? key.split(' ') : []), '--help'], env)
}
writeFileSync(new URL('dist/help-cache.json', root), JSON.stringify(cache))
console.log(`help cache: ${keys.length} entries, plain and coloured`)
