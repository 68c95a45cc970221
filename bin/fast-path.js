// Answers `ivr --version` and `ivr [COMMAND...] --help` without loading oclif, and finds a command to run
// from the fast start's bundle (dist/fast/, written by the build; bin/fast-load.js runs it): startup is the budget that matters most
// for a CLI run hundreds of times a day. Help comes from a cache the build writes
// (scripts/help-cache.js: oclif's own output, plain and coloured, 80 columns wide); anything unusual
// falls through to oclif.
'use strict'
const {readFileSync} = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

function print(text) {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  return true
}

function fastPath(argv) {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
    // oclif prints `ivr/<version> <platform>-<arch> node-<version>`; keep that form.
    const {version} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
    return print(`ivr/${version} ${process.platform}-${process.arch} node-${process.version}`)
  }
  const help = argv.at(-1) === '--help' || argv.at(-1) === '-h' || (argv[0] === 'help' && argv.length <= 3)
  if (!help) return false
  // The cache is rendered 80 columns wide; a narrower terminal gets oclif's own wrapping.
  if (process.stdout.isTTY && (process.stdout.columns ?? 80) < 80) return false
  const color = process.env.NO_COLOR === undefined && (Boolean(process.stdout.isTTY) || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'))
  const words = argv[0] === 'help' ? argv.slice(1) : argv.slice(0, -1)
  if (words.some((w) => w.startsWith('-'))) return false
  let cache
  try {
    cache = JSON.parse(readFileSync(path.join(root, 'dist', 'help-cache.json'), 'utf8'))
  } catch {
    return false
  }
  const text = cache[color ? 'color' : 'plain']?.[words.join(' ')]
  return typeof text === 'string' ? print(text) : false
}

const isFlag = (arg) => arg.startsWith('-')

/**
 * The command of this CLI that argv names, found as oclif finds it (words joined while they name a
 * command or topic, up to a flag or a command's first argument), or undefined: no command, help or
 * version asked for, or no bundle built. Undefined means oclif decides (topics, unknown commands,
 * plugins' commands).
 */
function findBundledCommand(argv) {
  const until = argv.indexOf('--')
  if (argv.length === 0 || argv.slice(0, until === -1 ? undefined : until).some((a) => a === '--help' || a === '-h') || argv[0] === '--version') return undefined
  let index
  try {
    index = JSON.parse(readFileSync(path.join(root, 'dist', 'fast', 'commands.json'), 'utf8'))
  } catch {
    return undefined
  }
  // An index from an older build (bin/ updated, dist/ not yet rebuilt) names no bundle: oclif runs it.
  if (typeof index.bundle !== 'string' || typeof index.bundleHash !== 'string') return undefined
  const ids = new Set(Object.keys(index.commands).flatMap((id) => id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(':'))))
  const words = []
  for (const arg of argv) {
    const next = [...words, arg].join(':')
    if (ids.has(next)) words.push(arg)
    else break
  }
  const id = words.join(':')
  const command = index.commands[id]
  if (!command) return undefined
  // A word that names neither a command nor an argument of one is oclif's to report (did-you-mean).
  const rest = argv.slice(words.length)
  if (rest.length > 0 && !isFlag(rest[0]) && !command.takesArgs) return undefined
  const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  // The fast start runs no hooks (scripts/fast-start.js): with one that runs around commands, oclif starts it.
  if (Object.keys(pjson.oclif?.hooks ?? {}).some((event) => event !== 'command_not_found')) return undefined
  return {id, argv: rest, pjson, root, index}
}

module.exports = {fastPath, findBundledCommand}
