#!/usr/bin/env node
// Fast paths first: `--version` and cached help answer without loading oclif.
import {fastPath} from './fast-path.js'

if (process.env.IVR_NO_FAST_PATH || !fastPath(process.argv.slice(2))) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
