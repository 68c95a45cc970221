import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {runIvr} from '../../helpers/run.js'

describe('menu test (command)', () => {
  it('passes the restaurant example with full coverage', async () => {
    const r = await runIvr(['menu', 'test', 'examples/menus/restaurant.yaml', 'examples/menus/restaurant.scenarios.yaml'])
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('✓ is connected to the restaurant  main → staff → transfer +6562221234')
    expect(r.stdout).to.contain('11 passed, 0 failed')
    expect(r.stdout).to.contain('Coverage: 100% of choices (12/12)')
  })

  it('fails loudly (exit 8: a check did not pass) on a broken menu, with the path taken and what was heard', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-test-'))
    const menu = path.join(dir, 'broken.yaml')
    await fs.writeFile(menu, (await fs.readFile('examples/menus/support-callback.yaml', 'utf8')).replace('transfer: "+6562225678"', 'transfer: "+6562220000"'))
    const r = await runIvr(['menu', 'test', menu, 'examples/menus/support-callback.scenarios.yaml'])
    expect(r.exitCode).to.equal(8)
    expect(r.stdout).to.contain('✗ asks for an agent  callback → transfer +6562220000')
    expect(r.stdout).to.contain('    expected a transfer to +6562225678, got one to +6562220000')
    expect(r.stdout).to.contain('3 passed, 2 failed')
  })

  it('reports JSON for CI, with the choices never taken', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-test-'))
    const scenarios = path.join(dir, 'one.yaml')
    await fs.writeFile(scenarios, 'scenarios:\n  - name: hours\n    presses: ["3"]\n    expect: {heard: open every day}\n')
    const r = await runIvr(['menu', 'test', 'examples/menus/restaurant.yaml', scenarios, '--json', '--min-coverage', '50'])
    expect(r.exitCode).to.equal(8)
    const out = JSON.parse(r.stdout)
    expect(out.passed).to.equal(1)
    expect(out.coverage.untaken).to.have.length(11)
  })

  it('refuses a menu with errors (exit 4) before running anything', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-test-'))
    const menu = path.join(dir, 'bad.yaml')
    await fs.writeFile(menu, 'nodes:\n  main:\n    say: Hi.\n    choices: {"1": nowhere}\n')
    const r = await runIvr(['menu', 'test', menu, 'examples/menus/restaurant.scenarios.yaml'])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('leads to node "nowhere", which does not exist')
  })

  it('says which file it cannot read: a missing scenarios file is named as one (exit 4), not as a menu', async () => {
    const r = await runIvr(['menu', 'test', 'examples/menus/restaurant.yaml', 'examples/menus/no-such.scenarios.yaml', '--json'])
    expect(r.exitCode).to.equal(4)
    const {error} = JSON.parse(r.stdout)
    expect(error.message).to.contain('no-such.scenarios.yaml: no such file')
    expect(error.suggestions.join(' ')).to.contain('Give a scenarios file').and.not.to.contain('menu file')
  })

  it('checks the scenarios file against its schema: press:/heard:/reached: misplaced are errors (exit 4), never a pass', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-test-'))
    const scenarios = path.join(dir, 'wrong.yaml')
    await fs.writeFile(scenarios, 'scenarios:\n  - name: hours\n    press: ["3"]\n    heard: open every day\n    reached: hours\n')
    const r = await runIvr(['menu', 'test', 'examples/menus/restaurant.yaml', scenarios])
    expect(r.exitCode).to.equal(4)
    expect(r.stdout).not.to.contain('passed')
    expect(r.stderr).to.contain('wrong.yaml:3:5 "press" is not a field of a scenario: did you mean presses?')
    expect(r.stderr).to.contain('"heard" is not a field of a scenario (expectations go under expect:)')
    expect(r.stderr).to.contain('"hours" checks nothing')
    const json = await runIvr(['menu', 'test', 'examples/menus/restaurant.yaml', scenarios, '--json'])
    expect(JSON.parse(json.stdout).error.code).to.equal('SCENARIOS_INVALID')
  })
})
