// The runner whose listener the other runner of a campaign uses is killed with -9, under --sandbox:
// the other takes over with a listener of its own (test/helpers/takeover.ts says what is checked).
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {spawnIvr} from '../../helpers/cli-process.js'
import {TakeoverFixture, MENU} from '../../helpers/takeover.js'

describe('campaign run --sandbox: the runner whose listener the others use is killed', function () {
  this.timeout(240_000)
  const f = new TakeoverFixture()
  afterEach(() => f.cleanUp())

  it('--sandbox: the other runner takes over with a listener of its own and finishes: every call answered and its summary recorded, nobody rung twice', async () => {
    const numbers = Array.from({length: 12}, (_, i) => `+65813${String(60_000 + i)}`)
    // Every callee answers and presses 1, in real time.
    const {db, env} = await f.setUp({realtime: true, population: {presses: {'1': 1}}}, numbers)
    await fs.writeFile(path.join(f.dir, 'menu.yaml'), MENU)
    // A live timeout far beyond this test's bounds: no outcome can come from it.
    const create = spawnIvr(['campaign', 'create', 'carry', '--contacts', path.join(f.dir, 'contacts.csv'), '--menu', path.join(f.dir, 'menu.yaml'),
      '--from', '+6531591234', '--rate', '2', '--max-live', '40', '--live-timeout', '2h', '--sandbox'], env)
    expect(await create.exited, create.stderr()).to.equal(0)
    const {first, second, inFlight} = await f.killTheListener(db, ['campaign', 'run', 'carry', '--sandbox'], env)
    expect(second.stderr()).to.include(`call actions served by runner pid ${first.child.pid} of this campaign`)
    const rows = await f.finished(db, first, second, numbers, inFlight)
    expect(f.answered(rows), second.stderr()).to.deep.equal([])
  })
})
