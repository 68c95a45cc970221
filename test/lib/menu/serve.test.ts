import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {MenuServing} from '../../../src/lib/menu/serve.js'
import {recordingOutput} from '../../../src/lib/output.js'
import {makeColors} from '../../../src/lib/render/colors.js'
import {projectRoot} from '../../helpers/run.js'

const vca = (p: Record<string, unknown>) => JSON.stringify({namespace: 'VOICE', eventType: 'CALL_ACTION', payload: {sessionId: 'sess-1', callStatus: 'ACTION_COMPLETED', callDirection: 'INBOUND', source: '+6591234567', destination: '+6531591234', ...p}})

describe('the serve service (in-process)', () => {
  let dir: string
  let file: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-serve-'))
    file = path.join(dir, 'menu.yaml')
    await fs.copyFile(path.join(projectRoot, 'examples', 'menus', 'restaurant.yaml'), file)
  })
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  function serving(json = false) {
    const output = recordingOutput()
    const lines: string[] = []
    const s = new MenuServing({file, host: '127.0.0.1', port: 0, watch: false, output, writeLine: (l) => lines.push(l), json, colors: makeColors(false), errColors: makeColors(false)})
    return {s, said: output.said, lines}
  }

  it('answers a VCA, says one line per answer (NDJSON under --json), counts refusals, and sums up at the end', async () => {
    const {s, said, lines} = serving(true)
    const menu = (await s.load(false))!
    const {server, stop} = await s.start(menu, undefined, undefined)
    try {
      s.listening(server, menu)
      expect(said.notice[0]).to.match(/^Serving .*menu\.yaml \(\d+ nodes, entry \w+\) on http:\/\/127\.0\.0\.1:\d+\/; Ctrl-C to stop$/)
      const ok = await fetch(server.url, {method: 'POST', headers: {'content-type': 'application/json'}, body: vca({clientActionId: 'main', eventData: {dtmf: '2'}})})
      expect((await ok.json()).clientActionId).to.equal('staff')
      expect(lines).to.have.length(1)
      expect(JSON.parse(lines[0])).to.include({sessionId: 'sess-1'})
      expect((await fetch(server.url, {method: 'PUT', body: '{}'})).status).to.equal(405)
      expect(said.notice[1]).to.match(/^405 PUT \//)
    } finally {
      await stop()
    }
    await s.finish('Ctrl-C')
    expect(said.status.at(-1)).to.equal('Answered 1 request (0 with the apology); refused 1.')
  })

  it('refuses a menu with errors on the first load, and keeps the last good one on a failed reload', async () => {
    await fs.writeFile(file, 'entry: nowhere\nnodes: {}\n')
    const {s, said} = serving()
    expect(await s.load(false)).to.equal(undefined)
    expect(said.warn.at(-1)).to.match(/menu\.yaml has \d+ errors?; not serving it\.$/)
    expect(await s.load(true)).to.equal(undefined)
    expect(said.warn.at(-1)).to.match(/; still serving the last good menu\.$/)
    expect(said.notice.length).to.be.greaterThan(0)
  })
})
