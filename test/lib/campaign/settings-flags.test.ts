import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {createSettings} from '../../../src/lib/campaign/settings-flags.js'

describe('campaign create: settings from the file and the flags', () => {
  let dir: string
  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-camp-settings-'))
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  it('takes the file\'s settings, lets the flags given beside it win, and a --menu replaces the file\'s callflow', async () => {
    const file = path.join(dir, 'c.yaml')
    await fs.writeFile(file, 'name: from-file\ncontacts: a.csv\ncallflow: flow.json\nfrom: ["+6531591234"]\nrate: 2\n')
    const fileOnly = await createSettings(undefined, {file})
    expect(fileOnly).to.deep.include({name: 'from-file', rate: 2})
    expect(fileOnly.content.kind).to.equal('callflow')
    const both = await createSettings('from-flag', {file, rate: '0.5', menu: 'menu.yaml', from: ['+6531591234,+6531591235']})
    expect(both).to.deep.include({name: 'from-flag', rate: 0.5})
    expect(both.content.kind).to.equal('menu')
    expect(both.content.file).to.match(/menu\.yaml$/)
    expect(both.from).to.deep.equal(['+6531591234', '+6531591235'])
  })
})
