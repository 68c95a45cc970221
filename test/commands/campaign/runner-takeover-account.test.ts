// The runner whose listener the other runner of a campaign uses is killed with -9, with a real
// account: the other takes the same --public-url over (test/helpers/takeover.ts says what is checked).
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {freePort} from '../../helpers/net.js'
import {spawnIvr} from '../../helpers/cli-process.js'
import {TakeoverFixture, MENU} from '../../helpers/takeover.js'

describe('campaign run with a real account: the runner whose listener the others use is killed', function () {
  this.timeout(240_000)
  const f = new TakeoverFixture()
  afterEach(() => f.cleanUp())

  it('a real account: the other runner listens on the same --port and takes the same --public-url over; every call answered, its summary recorded', async () => {
    const numbers = Array.from({length: 12}, (_, i) => `+65813${String(70_000 + i)}`)
    const {db, env} = await f.setUp({realtime: true, population: {presses: {'1': 1}}}, numbers)
    await fs.writeFile(path.join(f.dir, 'menu.yaml'), MENU)
    const account = {...env, IVR_ACCOUNT: f.sandbox!.subAccountId, IVR_API_KEY: f.sandbox!.apiKey, IVR_BASE_URL: f.sandbox!.baseUrl}
    const create = spawnIvr(['campaign', 'create', 'carry', '--contacts', path.join(f.dir, 'contacts.csv'), '--menu', path.join(f.dir, 'menu.yaml'),
      '--from', '+6531591234', '--rate', '2', '--max-live', '40', '--live-timeout', '2h'], account)
    expect(await create.exited, create.stderr()).to.equal(0)
    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}`
    const {first, second, inFlight} = await f.killTheListener(db, ['campaign', 'run', 'carry', '--port', String(port), '--public-url', publicUrl], account)
    expect(second.stderr()).to.include(`call actions served by runner pid ${first.child.pid} of this campaign`)
    const rows = await f.finished(db, first, second, numbers, inFlight)
    expect(f.answered(rows), second.stderr()).to.deep.equal([])
    // The same URLs, now served by the runner that took over; put back when it ended (nothing was registered before).
    expect(second.stdout()).to.include(`"now":["menu at ${publicUrl}/vca","summaries at ${publicUrl}/vss"]`)
    expect([f.sandbox!.engine.webhook(f.sandbox!.subAccountId, 'VCA'), f.sandbox!.engine.webhook(f.sandbox!.subAccountId, 'VSS')]).to.deep.equal([undefined, undefined])
  })
})
