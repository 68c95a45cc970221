// The fast start's bundle (dist/fast/): every command and its dependencies in a few files, written by
// scripts/build.js. A command run from the bundle loads one module graph with no package lookups, and
// oclif's own modules are loaded when first used, not all at start (see lazyRequire below).
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

// `const x = require("y")` at the top of oclif's CommonJS files becomes a proxy that loads "y" on first
// use: oclif requires nearly all of itself at start (config loading, help, ux), which a command run
// from the bundle never touches.
const LAZY = `function __ivrLazy(load) {
  let m
  const get = () => (m ??= load())
  return new Proxy({}, {
    get: (_, k) => get()[k],
    set: (_, k, v) => ((get()[k] = v), true),
    has: (_, k) => k in get(),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_, k) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), k)
      return d && {...d, configurable: true}
    },
  })
}
function __ivrOclifRequire(id) {
  return require('node:module').createRequire(require.resolve('@oclif/core'))(id)
}
`
// Packages only the parts of oclif a bundled command never runs need (plugin and config discovery,
// globbing, templates, the spinner): required from node_modules on first use, as oclif itself would
// (resolved from @oclif/core), instead of being parsed into the bundle at every start.
const OCLIF_ONLY = /require\("(cli-spinners|minimatch|ejs|tinyglobby|lilconfig)"\)/g
const lazyRequire = {
  name: 'lazy-require',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/}, async (args) => {
      let src = await readFile(args.path, 'utf8')
      src = src.replace(/^(const|var|let) (\w+) = (__importDefault\(|__importStar\()?require\(("[^"]+")\)(\)?);$/gm,
        (_, kw, name, wrap = '', spec, close) => `${kw} ${name} = __ivrLazy(() => ${wrap}require(${spec})${close});`)
      src = src.replace(/^exports\.(\w+) = (__importStar\()?require\(("[^"]+")\)(\)?);$/gm,
        (_, name, wrap = '', spec, close) => `Object.defineProperty(exports, "${name}", {enumerable: true, configurable: true, get: () => ${wrap}require(${spec})${close}});`)
      // oclif checks its own engines field against this Node at import; npm checks ours on install.
      src = src.replace(/^checkNodeVersion\(\);$/m, '')
      src = src.replace(OCLIF_ONLY, '__ivrOclifRequire("$1")')
      return {contents: LAZY + src, loader: 'js', resolveDir: path.dirname(args.path)}
    })
  },
}

// libphonenumber-js's metadata (82 kB), which the callflow validator loads at every start, as JSON.parse
// of a string: V8 reads a string literal much faster than it parses an object literal that size.
const phoneMetadataAsJson = {
  name: 'phone-metadata-as-json',
  setup(build) {
    build.onLoad({filter: /[\\/]libphonenumber-js[\\/]metadata\.min\.json\.js$/}, async (args) => {
      const json = await readFile(path.join(path.dirname(args.path), 'metadata.min.json'), 'utf8')
      return {contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(json)))})`, loader: 'js'}
    })
  },
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
// The built file of each command (a manifest written where TypeScript is loaded on the fly names src/*.ts instead).
const commands = Object.values(manifest.commands).map((c) => ({...c, relativePath: c.relativePath[0] === 'src' ? ['dist', ...c.relativePath.slice(1, -1), c.relativePath.at(-1).replace(/\.ts$/, '.js')] : c.relativePath}))
const {build} = await import('esbuild')
rmSync(path.join(root, 'dist', 'fast'), {recursive: true, force: true})
await build({
  absWorkingDir: root,
  entryPoints: [
    {in: 'scripts/fast-start.js', out: 'run'},
    ...commands.map((c) => ({in: c.relativePath.join('/'), out: c.relativePath.slice(1).join('/').replace(/\.js$/, '')})),
  ],
  outdir: path.join(root, 'dist', 'fast'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Less to parse at every start.
  minify: true,
  // typescript: oclif's loader for .ts commands, never used by a built CLI; pg-native: pg's optional binding.
  external: ['typescript', 'pg-native'],
  banner: {js: "import {createRequire as __ivrCreateRequire} from 'node:module'; const require = __ivrCreateRequire(import.meta.url);"},
  plugins: [lazyRequire, phoneMetadataAsJson],
  logLevel: 'warning',
})
// What bin/fast-path.js needs to find a command, and what oclif's parser reads of it (args, strict, aliases).
const index = Object.fromEntries(commands.map((c) => [c.id, {
  id: c.id, aliases: c.aliases ?? [], hiddenAliases: c.hiddenAliases ?? [], strict: c.strict, args: c.args ?? {},
  takesArgs: c.strict === false || Object.keys(c.args ?? {}).length > 0, file: c.relativePath.slice(1).join('/'),
}]))
writeFileSync(path.join(root, 'dist', 'fast', 'commands.json'), JSON.stringify({commands: index}))
