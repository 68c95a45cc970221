#!/usr/bin/env node
// Fast paths first: `--version` and cached help answer without loading oclif, and a command of this
// CLI runs from the bundle the build writes (dist/fast/); the rest (topics, unknown commands, plugins)
// goes through oclif. IVR_NO_FAST_PATH=1 sends everything through oclif.
// bin/ is CommonJS (bin/package.json): an ES module as the entry costs Node its ES module loader at
// every start, some 8% of a bare `node -e 0`.
'use strict'
const {fastPath, findBundledCommand} = require('./fast-path.js')

const argv = process.argv.slice(2)
const bundled = process.env.IVR_NO_FAST_PATH ? undefined : (fastPath(argv) || findBundledCommand(argv))
if (bundled === undefined) {
  // The package's folder, not this file: oclif looks for package.json upwards and would stop at bin/'s.
  require('@oclif/core').execute({dir: require('node:path').join(__dirname, '..')})
} else if (bundled !== true) {
  require('./fast-load.js').runBundled(bundled)
}
