#!/usr/bin/env node
// Fast paths first: `--version` and cached help answer without loading oclif, and a command of this
// CLI runs from the bundle the build writes (dist/fast/); the rest (topics, unknown commands, plugins)
// goes through oclif. IVR_NO_FAST_PATH=1 sends everything through oclif.
import {fastPath, findBundledCommand} from './fast-path.js'

const argv = process.argv.slice(2)
const bundled = process.env.IVR_NO_FAST_PATH ? undefined : (fastPath(argv) || findBundledCommand(argv))
if (bundled === undefined) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
} else if (bundled !== true) {
  const {runBundled} = await import('./fast-load.js')
  await runBundled(bundled)
}
