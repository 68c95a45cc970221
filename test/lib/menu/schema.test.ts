import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {projectRoot} from '../../helpers/run.js'
import {CAPTURE_KEYS, DEFAULT_KEYS, NODE_KEYS, STEP_KEYS, TOP_KEYS} from '../../../src/lib/menu/model.js'
import {EXPECT_KEYS, SCENARIO_DEFAULT_KEYS, SCENARIO_FILE_KEYS, SCENARIO_KEYS} from '../../../src/lib/menu/simulate.js'

describe('menu JSON Schema', () => {
  it('offers exactly the fields the menu reader knows, so editor completion and the checker agree', async () => {
    const schema = JSON.parse(await fs.readFile(path.join(projectRoot, 'schemas', 'menu.schema.json'), 'utf8'))
    const keys = (o: {properties: object}) => Object.keys(o.properties).sort()
    expect(keys(schema)).to.deep.equal([...TOP_KEYS].sort())
    expect(keys(schema.properties.defaults)).to.deep.equal([...DEFAULT_KEYS].sort())
    expect(keys(schema.$defs.node)).to.deep.equal([...NODE_KEYS].sort())
    expect(keys(schema.$defs.stepObject)).to.deep.equal([...STEP_KEYS].sort())
    expect(keys(schema.$defs.capture)).to.deep.equal([...CAPTURE_KEYS].sort())
  })

  it('scenario files: the schema offers exactly the fields the scenario reader accepts', async () => {
    const schema = JSON.parse(await fs.readFile(path.join(projectRoot, 'schemas', 'menu-scenarios.schema.json'), 'utf8'))
    const keys = (o: {properties: object}) => Object.keys(o.properties).sort()
    expect(keys(schema)).to.deep.equal([...SCENARIO_FILE_KEYS].sort())
    expect(keys(schema.properties.defaults)).to.deep.equal([...SCENARIO_DEFAULT_KEYS].sort())
    expect(keys(schema.$defs.scenario)).to.deep.equal([...SCENARIO_KEYS].sort())
    expect(keys(schema.$defs.scenario.properties.expect)).to.deep.equal([...EXPECT_KEYS].sort())
  })
})
