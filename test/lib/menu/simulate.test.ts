import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {projectRoot} from '../../helpers/run.js'
import {parseMenuText} from '../../../src/lib/menu/model.js'
import {parseScenarios, runScenarios} from '../../../src/lib/menu/simulate.js'

const example = (n: string) => fs.readFile(path.join(projectRoot, 'examples', 'menus', n), 'utf8')

describe('menu scenarios on the sandbox engine', () => {
  for (const name of ['restaurant', 'support-callback']) {
    it(`passes the ${name} example with every choice covered`, async () => {
      const menu = parseMenuText(await example(`${name}.yaml`), `${name}.yaml`).menu!
      const run = await runScenarios(menu, parseScenarios(await example(`${name}.scenarios.yaml`), 'x.yaml'))
      expect(run.scenarios.filter((s) => !s.passed).map((s) => [s.name, s.failures])).to.deep.equal([])
      expect(run.failed).to.equal(0)
      expect(run.coverage.percent).to.equal(100)
      expect(run.coverage.untaken).to.deep.equal([])
    })
  }

  it('fails a scenario loudly when the menu does not do what it expects', async () => {
    // The booking confirmation was edited and "3" in the main menu now leads to staff.
    const text = (await example('restaurant.yaml')).replace('"3": hours', '"3": staff').replace('Your table for today is booked', 'Done')
    const menu = parseMenuText(text, 'r.yaml').menu!
    const run = await runScenarios(menu, parseScenarios(await example('restaurant.scenarios.yaml'), 'x.yaml'))
    const hours = run.scenarios.find((s) => s.name === 'opening hours')!
    expect(hours.passed).to.equal(false)
    expect(hours.failures).to.include('expected to hear "open every day"')
    expect(hours.failures).to.include('expected the path main → hours')
    expect(hours.path.slice(0, 2)).to.deep.equal(['main', 'staff'])
    const today = run.scenarios.find((s) => s.name === 'books a table for today')!
    expect(today.failures).to.deep.equal(['expected to hear "table for today"'])
    expect(run.failed).to.be.greaterThan(1)
    expect(run.coverage.untaken).to.deep.equal([])
  })

  it('reports the choices no scenario took', async () => {
    const menu = parseMenuText(await example('restaurant.yaml'), 'r.yaml').menu!
    const run = await runScenarios(menu, parseScenarios('scenarios:\n  - name: hours\n    presses: ["3"]\n    expect: {reached: hours}\n', 'x.yaml'))
    expect(run.coverage.total).to.equal(12)
    expect(run.coverage.taken).to.equal(1)
    expect(run.coverage.percent).to.equal(8.3)
    expect(run.coverage.untaken).to.include('staff 1')
    expect(run.coverage.untaken).not.to.include('main 3')
  })

  it('checks transfers and the final status, and a menu the platform would reject ends in ERROR', async () => {
    const menu = parseMenuText('nodes:\n  main:\n    say: Press 1.\n    choices:\n      "1": {transfer: "+6562221234"}\n      "2": {say: "x", voice: no-such-voice, hangup: true}\n', 'm.yaml').menu!
    const run = await runScenarios(menu, parseScenarios([
      'scenarios:',
      '  - {name: transfer, presses: ["1"], expect: {transferredTo: "+65 6222 9999"}}',
      '  - {name: bad voice, presses: ["2"], expect: {status: COMPLETED}}',
    ].join('\n'), 'x.yaml'))
    expect(run.scenarios[0].failures).to.deep.equal(['expected a transfer to +65 6222 9999, got one to +6562221234'])
    expect(run.scenarios[1].status).to.equal('ERROR')
    expect(run.scenarios[1].failures).to.deep.equal(['expected status COMPLETED, got ERROR'])
  })

  it('refuses a scenarios file it cannot read, saying where', () => {
    expect(() => parseScenarios('scenarios:\n  - name: x\n    presses: ["1a"]\n', 's.yaml')).to.throw('s.yaml:3:5 "1a" holds keys a phone does not have')
    expect(() => parseScenarios('scenarios:\n  - name: x\n    expect: {hear: hi}\n', 's.yaml')).to.throw(/"hear" is not an expectation/)
    expect(() => parseScenarios('nothing: here\n', 's.yaml')).to.throw(/no scenarios/)
  })
})
