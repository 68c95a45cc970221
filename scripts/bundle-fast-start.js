// The fast start's bundle (dist/fast/cli.cjs): every command and its dependencies in one CommonJS file,
// written by scripts/build.js. A command's modules are initialised when it is run (each command is a
// lazy import), oclif's own modules when first used (see lazyRequire below). One CommonJS script,
// because V8 can cache the compiled code of a script (bin/fast-load.js), not of an ES module on Node 20.
import {createHash} from 'node:crypto'
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
  // (The package name is built so that esbuild leaves this require.resolve alone.)
  return require('node:module').createRequire(require.resolve(['@oclif', 'core'].join('/')))(id)
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

// chalk probes the terminal when imported (its supports-color), for its default instances; ivr makes
// every Chalk with an explicit level (src/lib/render/colors.ts), so the probe is start time for nothing.
const chalkWithoutProbe = {
  name: 'chalk-without-probe',
  setup(build) {
    build.onResolve({filter: /^#supports-color$/}, (args) => (/[\\/]chalk[\\/]/.test(args.importer) ? {path: 'supports-color', namespace: 'ivr-chalk'} : undefined))
    build.onLoad({filter: /.*/, namespace: 'ivr-chalk'}, () => ({contents: 'export default {stdout: false, stderr: false}', loader: 'js'}))
  },
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
// The built file of each command (a manifest written where TypeScript is loaded on the fly names src/*.ts instead).
const commands = Object.values(manifest.commands).map((c) => ({...c, relativePath: c.relativePath[0] === 'src' ? ['dist', ...c.relativePath.slice(1, -1), c.relativePath.at(-1).replace(/\.ts$/, '.js')] : c.relativePath}))
// The bundle's entry: each command as a lazy import (its modules run only when it is the one run).
const entry = {
  name: 'fast-start-entry',
  setup(build) {
    build.onResolve({filter: /^ivr-fast-start-entry$/}, () => ({path: 'entry', namespace: 'ivr-fast-start'}))
    build.onLoad({filter: /.*/, namespace: 'ivr-fast-start'}, () => ({
      contents: [
        "export {runCommand} from './scripts/fast-start.js'",
        'export const commands = {',
        ...commands.map((c) => `  ${JSON.stringify(c.id)}: () => import(${JSON.stringify(`./${c.relativePath.join('/')}`)}),`),
        '}',
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }))
  },
}
const {build} = await import('esbuild')
rmSync(path.join(root, 'dist', 'fast'), {recursive: true, force: true})
const bundle = path.join(root, 'dist', 'fast', 'cli.cjs')
await build({
  absWorkingDir: root,
  entryPoints: ['ivr-fast-start-entry'],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() of what stays outside the bundle (node: modules) as require: a vm.Script has no import().
  supported: {'dynamic-import': false},
  // Less to parse at every start.
  minify: !process.env.IVR_BUNDLE_NO_MINIFY,
  // typescript: oclif's loader for .ts commands, never used by a built CLI; pg-native: pg's optional binding.
  external: ['typescript', 'pg-native'],
  // The sources are ES modules, strict by nature; so must their bundle be.
  banner: {js: '"use strict";'},
  plugins: [entry, lazyRequire, phoneMetadataAsJson, chalkWithoutProbe],
  logLevel: 'warning',
})
// esbuild leaves some characters beyond ASCII as they are (in regular expressions): escaped, the bundle is
// ASCII, which bin/fast-load.js reads as Latin-1, a plain copy, instead of decoding UTF-8.
const text = readFileSync(bundle, 'utf8')
writeFileSync(bundle, text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
// What bin/fast-path.js needs to find a command, and what oclif's parser reads of it (args, strict, aliases);
// the bundle's content hash names its code caches (bin/fast-load.js), so a cache never outlives its bundle.
const index = Object.fromEntries(commands.map((c) => [c.id, {
  id: c.id, aliases: c.aliases ?? [], hiddenAliases: c.hiddenAliases ?? [], strict: c.strict, args: c.args ?? {},
  takesArgs: c.strict === false || Object.keys(c.args ?? {}).length > 0,
}]))
const bundleHash = createHash('sha256').update(readFileSync(bundle)).digest('hex').slice(0, 16)
writeFileSync(path.join(root, 'dist', 'fast', 'commands.json'), JSON.stringify({bundle: 'cli.cjs', bundleHash, commands: index}))
