// Answers `ivr --version` and `ivr [COMMAND...] --help` without loading oclif: startup is the
// budget that matters most for a CLI run hundreds of times a day. Help comes from a cache the
// build writes (scripts/help-cache.js: oclif's own output, plain and coloured, 80 columns wide);
// anything unusual falls through to oclif.
import {readFileSync} from 'node:fs'

const root = new URL('../', import.meta.url)

function print(text) {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  return true
}

export function fastPath(argv) {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
    // oclif prints `ivr/<version> <platform>-<arch> node-<version>`; keep that form.
    const {version} = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
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
    cache = JSON.parse(readFileSync(new URL('dist/help-cache.json', root), 'utf8'))
  } catch {
    return false
  }
  const text = cache[color ? 'color' : 'plain']?.[words.join(' ')]
  return typeof text === 'string' ? print(text) : false
}
