import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {parseCallflowText} from '../../../src/lib/callflow/load.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {runBin} from '../../helpers/run.js'
import {TmuxSession} from '../../helpers/tmux.js'

describe('callflow new', () => {
  it('without a terminal, exits 2 and points at the file and flag forms', async () => {
    const r = await runBin(['callflow', 'new'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('no terminal').and.contain('ivr callflow validate').and.contain('ivr send-callflow --from')
  })

  describe('on a terminal (tmux)', function () {
    // A dozen prompts, each waited for on the screen: under a loaded machine (npm test's parallel files
    // beside other work) the dialog took more than mocha's 20 s and the test failed only in full runs.
    this.timeout(60_000)
    // The account is the sandbox's API (its voices, its numbers, a VCA webhook registered in its state).
    let api: RunningSandbox
    let session: TmuxSession | undefined
    const out = path.join(process.env.IVR_DATA_DIR as string, '..', 'built.yaml')

    before(async function () {
      api = await startSandbox({host: '127.0.0.1', port: 0})
      api.engine.state.sub('acme').webhooks.VCA = {type: 'VCA', url: 'https://ivr.example.com/vca', enabled: true}
    })
    after(() => api?.close())
    afterEach(() => session?.kill())

    it('builds a callflow with voices picked by searching, writes YAML, and sends only when asked', async () => {
      session = new TmuxSession(['callflow', 'new', '-o', out], {
        IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl, NO_COLOR: '1',
        IVR_CONFIG_DIR: process.env.IVR_CONFIG_DIR, IVR_CACHE_DIR: process.env.IVR_CACHE_DIR,
      })
      const s = session
      const answer = async (prompt: RegExp, text: string) => {
        await s.waitFor(prompt)
        if (text) s.type(text)
        s.keys('Enter')
      }
      await answer(/Caller id/, '+6531591234')
      await answer(/Number to call/, '+6591234567')
      await s.waitFor(/Action 2/)
      s.keys('Enter') // say
      await answer(/Text to speak/, 'Your order has shipped.')
      await s.waitFor(/Voice \(type to search\)/)
      s.type('danish')
      await s.waitFor(/da-DK-Naja/)
      s.keys('Enter')
      await answer(/Repetition/, '')
      await s.waitFor(/Action 3/)
      for (let i = 0; i < 4; i++) s.keys('Down') // hangup
      s.keys('Enter')
      await answer(/Send it now \(this makes a real call, which costs money\)/, 'n')
      const done = await s.waitFor(/EXIT=\d+/)
      expect(done).to.contain(`Wrote ${out}`).and.contain('EXIT=0')
      const doc = parseCallflowText(await fs.readFile(out, 'utf8'), out)
      expect(doc.value).to.deep.equal({callflow: [
        {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
        {action: 'say', params: {text: 'Your order has shipped.', voiceProfile: 'da-DK-Naja'}},
        {action: 'hangup'},
      ]})
      expect(api.engine.listSessions('acme')).to.deep.equal([])
    })
  })
})
