import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {projectRoot} from './helpers/run.js'

const read = (f: string) => readFileSync(path.join(projectRoot, f), 'utf8')

describe('README', () => {
  it('has a reference entry for every command (regenerate with `npm run readme`)', () => {
    const manifest = JSON.parse(read('oclif.manifest.json'))
    const readme = read('README.md')
    const missing = Object.keys(manifest.commands).map((id) => id.replaceAll(':', ' ')).filter((id) => !readme.includes(`## \`ivr ${id}`))
    expect(missing, 'commands missing from the README reference').to.deep.equal([])
  })

  it('shows the same two Quick start commands that .ci/run runs first', () => {
    const quick = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(read('README.md'))?.[1].trim().split('\n')
    const ci = read('.ci/run').split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^(set|cd) /.test(l))
    expect(quick).to.have.length(2)
    expect(quick?.[1]).to.equal('npm test')
    // Beyond the Quick start, CI only adds what a fresh machine lacks: tmux for the terminal tests
    // (so before npm test), then Chromium for the browser test.
    const tmux = 'command -v tmux >/dev/null || (apt-get update && apt-get install -y tmux)'
    expect(ci).to.deep.equal([tmux, ...quick!, 'command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)', 'npm run test:browser'])
  })
})
