// Runs a command from the fast start's bundle (dist/fast/cli.cjs, scripts/bundle-fast-start.js) with
// V8's cache of its compiled code: compiling the bundle's code is most of a command's start, and Node 20
// caches no compiled code of its own (module.enableCompileCache is Node 22). The bundle is one CommonJS
// script run through vm.Script, which takes a code cache; each command has its own cache file
// (dist/fast/cache/), written when the command first ends well, so it holds the code that command runs.
// A cache is only ever an aid: one that is missing, stale, corrupt or unwritable means compiling as
// without it, never a failed command.
'use strict'
const {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} = require('node:fs')
const {createRequire} = require('node:module')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')

/** The code cache of command `id` for this build's bundle (named by the bundle's hash: a rebuilt bundle never meets an old cache). */
function codeCacheFile(root, index, id) {
  return path.join(root, 'dist', 'fast', 'cache', `${id.replaceAll(':', '-')}.${index.bundleHash}.v8`)
}

// V8 checks a cache's V8 version, flags and source length by itself, but its content only with this
// flag on: without it a corrupt cache file can crash the process. The flag is on only while a cache is
// read or written (V8 checks every cache, Node's own included, against the flags in force).
function withChecksums(work) {
  v8.setFlagsFromString('--verify-snapshot-checksum')
  try {
    return work()
  } finally {
    v8.setFlagsFromString('--no-verify-snapshot-checksum')
  }
}

function saveCodeCache(script, file) {
  const temporary = `${file}.${process.pid}.tmp`
  try {
    const data = withChecksums(() => script.createCachedData())
    mkdirSync(path.dirname(file), {recursive: true})
    // Written whole then renamed: a command started meanwhile reads the old file or the new one, never half of one.
    writeFileSync(temporary, data)
    renameSync(temporary, file)
  } catch {
    // A read-only install, a full disk, a file where the folder should be: the next start compiles
    // without a cache, as this one did. Nothing of this may fail the command that has just ended.
    try {
      rmSync(temporary, {force: true})
    } catch {
      // (nothing was written)
    }
  }
}

function loadBundle(root, index, id) {
  const file = path.join(root, 'dist', 'fast', index.bundle)
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'latin1')}\n})`
  const cacheFile = codeCacheFile(root, index, id)
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    cachedData = undefined
  }
  let script
  try {
    script = withChecksums(() => new vm.Script(source, {filename: file, cachedData}))
  } catch {
    script = new vm.Script(source, {filename: file})
  }
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit, so the cache holds every function the command compiled; only after a run that ended well
    // (a usage error compiles little of the command).
    process.once('exit', (code) => code === 0 && saveCodeCache(script, cacheFile))
  }
  const module = {exports: {}}
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file))
  return module.exports
}

/** Runs the command bin/fast-path.js found (findBundledCommand) from the bundle. */
async function runBundled({id, argv, pjson, root, index}) {
  const bundle = loadBundle(root, index, id)
  await bundle.runCommand({id, load: bundle.commands[id], argv, pjson, root, commands: index.commands})
}

module.exports = {codeCacheFile, runBundled}
