import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {projectRoot} from '../helpers/run.js'

// The built CLI as installed (npm ci builds it): the fast paths must say exactly what oclif says.
function ivr(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), ...args], {encoding: 'utf8', env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', COLUMNS: '80', ...env}})
  return {stdout: r.stdout, stderr: r.stderr, status: r.status}
}

describe('startup fast paths (built CLI)', () => {
  before(function () {
    if (!existsSync(path.join(projectRoot, 'dist', 'help-cache.json'))) throw new Error('dist/ is not built: run `npm run build` (npm ci does it).')
  })

  it('prints the version in oclif\'s form without loading oclif', () => {
    const {version} = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
    const fast = ivr(['--version'])
    expect(fast.status).to.equal(0)
    expect(fast.stdout.trim()).to.equal(`ivr/${version} ${process.platform}-${process.arch} node-${process.version}`)
    expect(ivr(['--version'], {IVR_NO_FAST_PATH: '1'}).stdout).to.equal(fast.stdout)
  })

  for (const args of [['--help'], ['profiles', 'list', '--help'], ['help', 'webhooks', 'create'], ['accounts', '--help']]) {
    it(`answers \`ivr ${args.join(' ')}\` from the help cache exactly as oclif would`, () => {
      const fast = ivr(args)
      const slow = ivr(args, {IVR_NO_FAST_PATH: '1'})
      expect(fast.status).to.equal(0)
      expect(fast.stdout).to.equal(slow.stdout)
      expect(fast.stdout).to.contain('USAGE')
    })
  }

  it('answers with oclif\'s coloured help when colour is on', () => {
    const clean = {...process.env, NODE_ENV: 'production', COLUMNS: '80', FORCE_COLOR: '1'} as Record<string, string>
    delete clean.NO_COLOR
    const run = (extra: Record<string, string>) => spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), 'webhooks', 'create', '--help'], {encoding: 'utf8', env: {...clean, ...extra}}).stdout
    const fast = run({})
    expect(fast).to.contain('\u001B[1mUSAGE')
    expect(fast).to.equal(run({IVR_NO_FAST_PATH: '1'}))
  })

  it('lists every topic with a summary in the root help', () => {
    const out = ivr(['--help']).stdout
    for (const topic of ['accounts', 'numbers', 'profiles', 'webhooks']) expect(out).to.match(new RegExp(`^  ${topic}\\s+\\S`, 'm'))
  })
})
