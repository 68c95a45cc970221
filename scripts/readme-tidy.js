// After `oclif readme`: nothing to tidy yet beyond making sure the file ends with one newline.
import {readFileSync, writeFileSync} from 'node:fs'

const file = new URL('../README.md', import.meta.url)
writeFileSync(file, readFileSync(file, 'utf8').replace(/\s*$/, '\n'))
