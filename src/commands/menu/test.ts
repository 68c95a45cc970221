import {Args, Flags} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../../cli/base-command.js'
import {ExitCode, invalidInput} from '../../lib/errors.js'
import {loadMenuOrThrow, readScenariosSource} from '../../lib/menu/files.js'
import {parseScenarios, runScenarios, ScenarioFileError, type TestRun} from '../../lib/menu/simulate.js'
import {safeLine} from '../../lib/render/safe.js'

export default class MenuTest extends IvrCommand<typeof MenuTest> {
  static override baseFlags = localBaseFlags
  static override summary = 'Run scripted callers through a menu on the sandbox call engine, and report coverage.'
  static override description = `Each scenario is a call (inbound to the sandbox number by default, or outbound as \`ivr menu start\` opens it) with the keys pressed at each menu ("" for silence) and what must happen: heard (text contains), notHeard, reached (nodes), path (the nodes entered, in order), transferredTo, status (the final session status). The menu answers in-process: no ports, no phone, no account, and the call runs on the engine's virtual clock, so a test takes milliseconds.

Prints ✓ or ✗ per scenario with the path taken, then "N passed, N failed" and the coverage: the share of the menu's choices the scenarios took, and the ones never taken. Exits 8 when any scenario fails (or coverage is under --min-coverage), 4 when the menu or the scenarios file has errors (unknown fields, a scenario that expects nothing): nothing passes unchecked. See docs/menus.md for the scenario format.`
  static override examples = [
    '<%= config.bin %> menu test examples/menus/restaurant.yaml examples/menus/restaurant.scenarios.yaml',
    '<%= config.bin %> menu test menu.yaml scenarios.yaml --json > report.json',
    '<%= config.bin %> menu test menu.yaml scenarios.yaml --min-coverage 100',
  ]
  static override args = {
    menu: Args.string({description: 'The menu file (YAML or JSON).', required: true}),
    scenarios: Args.string({description: 'The scenarios file (YAML or JSON).', required: true}),
  }
  static override flags = {
    'min-coverage': Flags.integer({summary: 'Fail (exit 8) when fewer than this percentage of the choices were taken.', min: 0, max: 100}),
  }

  async run(): Promise<TestRun> {
    const {menu: menuFile, scenarios: scenarioFile} = this.args
    const {menu} = await loadMenuOrThrow(menuFile)
    let scenarios
    try {
      scenarios = parseScenarios(await readScenariosSource(scenarioFile), scenarioFile)
    } catch (error) {
      if (!(error instanceof ScenarioFileError)) throw error
      const [first, ...more] = error.problems
      throw invalidInput(`The scenarios were not run: ${first}${more.map((p) => `\n  ${p}`).join('')}`, ['See docs/menus.md, "Scenarios" (schemas/menu-scenarios.schema.json gives editors completion).'], 'SCENARIOS_INVALID')
    }
    const run = await runScenarios(menu, scenarios)
    const c = this.colors
    for (const s of run.scenarios) {
      const path = c.dim(`${[...s.path, s.end].map((x) => safeLine(x)).join(' → ')}`)
      this.out(`${s.passed ? c.green('✓') : c.red('✗')} ${safeLine(s.name)}  ${path}`)
      for (const f of s.failures) this.out(`    ${c.red(safeLine(f))}`)
      if (!s.passed && s.heard.length > 0) this.out(c.dim(`    heard: ${s.heard.map((h) => `"${safeLine(h)}"`).join(', ')}`))
    }
    const cov = run.coverage
    const summary = `${run.passed} passed, ${run.failed} failed`
    this.out('')
    this.out(run.failed > 0 ? c.red(summary) : c.green(summary))
    this.out(`Coverage: ${cov.percent}% of choices (${cov.taken}/${cov.total})${cov.untaken.length > 0 ? `; never taken: ${cov.untaken.join(', ')}` : ''}`)
    this.out(c.dim(`Handlers: ${cov.handlers.taken}/${cov.handlers.total} taken${cov.handlers.untaken.length > 0 ? `; never taken: ${cov.handlers.untaken.join(', ')}` : ''}`))
    const min = this.flags['min-coverage']
    const tooLittle = min !== undefined && cov.percent < min
    if (tooLittle) this.out(c.red(`Coverage ${cov.percent}% is under --min-coverage ${min}%.`))
    if (run.failed > 0 || tooLittle) {
      if (this.jsonEnabled()) this.logJson(run)
      this.exit(ExitCode.CHECK_FAILED)
    }
    return run
  }
}
