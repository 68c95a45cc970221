#!/usr/bin/env -S node --import tsx --no-warnings
// The CLI from src/ (TypeScript loaded on the fly), no build needed. An ES module by its name: bin/ is
// CommonJS (bin/package.json). oclif is given the package's folder: from here it would stop at bin/'s package.json.
import {execute} from '@oclif/core'

await execute({development: true, dir: new URL('..', import.meta.url).href})
