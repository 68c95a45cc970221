import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {statSync} from 'node:fs'
import path from 'node:path'

import {projectRoot} from '../helpers/run.js'

describe('the build (npm ci, npm test, npx ivr)', () => {
  it('prepare does nothing when dist/ was built from these sources: the first `npx ivr` after `npm ci` does not rebuild', () => {
    // npx installs the checkout into its cache and runs prepare again; npm test runs it as pretest.
    const built = path.join(projectRoot, 'dist', 'help-cache.json')
    const before = statSync(built).mtimeMs
    const r = spawnSync('npm', ['run', '--silent', 'prepare'], {cwd: projectRoot, encoding: 'utf8'})
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stderr).to.equal('')
    expect(statSync(built).mtimeMs).to.equal(before)
  })
})
