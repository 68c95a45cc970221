import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {runIvr} from '../../helpers/run.js'

describe('menu check (command)', () => {
  let dir: string
  let offline: Record<string, string>
  before(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'menu-check-'))
    offline = {IVR_CONFIG_DIR: path.join(dir, 'no-config'), IVR_CACHE_DIR: path.join(dir, 'no-cache')}
  })
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name)
    await fs.writeFile(file, text)
    return file
  }

  it('passes the examples, saying once that voices were not checked', async () => {
    const r = await runIvr(['menu', 'check', 'examples/menus/restaurant.yaml', 'examples/menus/support-callback.yaml'], {env: offline})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout.match(/voice profiles were not checked: no profile list at hand/g)).to.have.length(1)
    expect(r.stdout.trim().split('\n').at(-1)).to.equal('✔ 2 files valid (1 warning)')
  })

  it('prints compiler-style lines and exits 4 on errors', async () => {
    const file = await write('bad.yaml', [
      'nodes:',
      '  main:',
      '    say: Press 1 or 2.',
      '    choices:',
      '      "1": sales',
      '      "22": hangup',
      '  orphan:',
      '    say: Nobody hears this.',
    ].join('\n'))
    const r = await runIvr(['menu', 'check', file], {env: offline})
    expect(r.exitCode).to.equal(4)
    const lines = r.stdout.split('\n')
    expect(lines).to.include(`${file}:5:7  error  $.nodes.main.choices["1"] leads to node "sales", which does not exist`)
    expect(lines).to.include(`${file}:6:7  error  $.nodes.main.choices["22"] "22" can never be chosen: main captures at most 1 digit (capture.maxDigits)`)
    expect(lines.some((l) => l.startsWith(`${file}:7:3  warning  $.nodes.orphan node orphan is unreachable`))).to.equal(true)
    expect(lines.some((l) => l.includes('menu main has no invalid-input or no-input handling'))).to.equal(true)
    expect(lines.at(-2)).to.match(/^✖ 2 errors, \d+ warnings in 1 file$/)
  })

  it('prints only JSON under --json, also on errors', async () => {
    const file = await write('loop.yaml', 'nodes:\n  main:\n    say: Press 1.\n    choices: {"1": other}\n    invalid: repeat\n    noInput: repeat\n  other:\n    say: Press 1.\n    choices: {"1": main}\n    invalid: repeat\n    noInput: repeat\n')
    const r = await runIvr(['menu', 'check', file, '--json'], {env: offline})
    expect(r.exitCode).to.equal(4)
    const out = JSON.parse(r.stdout)
    expect(out.valid).to.equal(false)
    expect(out.files[0].problems.map((p: {message: string}) => p.message)).to.include('loop with no way out: main → other → main; no choice from main, other leads to a hang-up or transfer')
  })

  it('says what is wrong with a file it cannot read (exit 4)', async () => {
    const r = await runIvr(['menu', 'check', path.join(dir, 'missing.yaml')], {env: offline})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('missing.yaml: no such file')
  })
})
