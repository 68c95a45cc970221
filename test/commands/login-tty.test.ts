import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {startSandbox, type RunningSandbox} from '../../src/lib/sandbox/server.js'
import {TmuxSession} from '../helpers/tmux.js'

describe('login on a terminal (tmux)', function () {
  // Several prompts waited for on the screen: more than mocha's 20 s on a loaded machine (a hang still fails).
  this.timeout(60_000)
  // The sandbox checks the key like the platform: a login's verifying call is a real one.
  let api: RunningSandbox
  let session: TmuxSession | undefined
  const configDir = path.join(process.env.IVR_DATA_DIR as string, '..', 'tty-config')

  before(async function () {
    api = await startSandbox({host: '127.0.0.1', port: 0, apiKey: 'tty-key-5678'})
  })
  after(() => api?.close())
  afterEach(() => session?.kill())

  it('asks for the sub-account and a masked key, checks it, and stores it', async () => {
    session = new TmuxSession(['login', '--base-url', api.baseUrl], {IVR_CONFIG_DIR: configDir, NO_COLOR: '1'})
    await session.waitFor(/Sub-account id/)
    session.type('tty-acct')
    session.keys('Enter')
    await session.waitFor(/API key/)
    session.type('tty-key-5678')
    const typed = await session.waitFor(/API key:? \*{12}/)
    expect(typed).not.to.contain('tty-key-5678')
    session.keys('Enter')
    const done = await session.waitFor(/EXIT=\d+/)
    expect(done).to.contain('Logged in to sub-account tty-acct').and.contain('EXIT=0')
    expect(done).not.to.contain('tty-key-5678')
    const stored = JSON.parse(await fs.readFile(path.join(configDir, 'accounts.json'), 'utf8'))
    expect(stored.accounts['tty-acct'].apiKey).to.equal('tty-key-5678')
  })

  it('re-asks for an invalid sub-account id instead of failing', async () => {
    session = new TmuxSession(['login', '--no-verify'], {IVR_CONFIG_DIR: configDir, NO_COLOR: '1'})
    await session.waitFor(/Sub-account id/)
    session.type('a b')
    session.keys('Enter')
    await session.waitFor(/not a valid sub-account id/)
    session.keys('C-c')
    const done = await session.waitFor(/EXIT=\d+/)
    expect(done).to.contain('EXIT=130')
  })
})
