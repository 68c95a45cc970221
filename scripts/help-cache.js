// Build step: renders oclif's help (80 columns, plain and coloured) for the root, every topic and
// every command into dist/help-cache.json, so bin/fast-path.js can answer --help without loading
// oclif. oclif decides on colour when it loads, so each variant is rendered by one child process
// (this script with --render), which asks oclif's own Help class for every entry in turn, as `ivr ... --help` does.
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'

const root = new URL('../', import.meta.url)

if (process.argv[2] === '--render') {
  const {Config, loadHelpClass} = await import('@oclif/core')
  const config = await Config.load(root.pathname)
  const keys = ['']
  const topics = new Set()
  for (const id of config.commandIDs) {
    const words = id.split(':')
    keys.push(words.join(' '))
    for (let i = 1; i < words.length; i++) topics.add(words.slice(0, i).join(' '))
  }
  for (const t of topics) if (!keys.includes(t)) keys.push(t)
  const rendered = {}
  const write = process.stdout.write.bind(process.stdout)
  for (const key of keys) {
    let text = ''
    // oclif's help writes through process.stdout: collect it instead.
    process.stdout.write = (chunk) => {
      text += chunk
      return true
    }
    try {
      // A fresh config each time: showing a command's help drops it from that config's topic lists.
      const fresh = await Config.load(root.pathname)
      const Help = await loadHelpClass(fresh)
      await new Help(fresh, fresh.pjson.oclif.helpOptions ?? {}).showHelp([...(key ? [key.split(' ').join(':')] : []), '--help'])
    } finally {
      process.stdout.write = write
    }
    rendered[key] = text
  }
  write(JSON.stringify(rendered))
} else {
  const base = {...process.env, IVR_NO_FAST_PATH: '1', NODE_ENV: 'production'}
  delete base.NO_COLOR
  delete base.FORCE_COLOR
  delete base.OCLIF_COLUMNS
  const variants = {plain: {...base, NO_COLOR: '1'}, color: {...base, FORCE_COLOR: '1'}}
  const cache = {}
  for (const [name, env] of Object.entries(variants)) {
    // stdout is a pipe here, so oclif renders 80 columns wide, as for any non-terminal.
    cache[name] = JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--render'], {env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024}))
  }
  writeFileSync(new URL('dist/help-cache.json', root), JSON.stringify(cache))
  console.log(`help cache: ${Object.keys(cache.plain).length} entries, plain and coloured`)
}
