import {expect} from 'chai'

import {TmuxSession} from '../../helpers/tmux.js'
import {startExportServer, type ExportServer} from '../../lib/logs/export-server.js'

describe('logs export and recordings on a terminal (tmux)', function () {
  // Several prompts waited for on the screen: more than mocha's 20 s on a loaded machine (a hang still fails).
  this.timeout(60_000)
  let server: ExportServer
  let session: TmuxSession | undefined

  before(async function () {
    server = await startExportServer()
  })
  after(() => server?.close())
  afterEach(() => session?.kill())

  const lastJob = () => [...server.jobs.keys()].at(-1)!

  for (const answer of ['y', 'n'] as const) {
    it(`shows a live status line, and Ctrl-C asks whether to cancel (answer ${answer})`, async () => {
      server.nextJob({statuses: ['queued', 'running']})
      session = new TmuxSession(['logs', 'export', '--since', '1d', '--poll-interval', '50ms'], {...server.env, NO_COLOR: '1'})
      // One line, redrawn: the status and a ticking elapsed time.
      await session.waitFor(/Export job job\d+.*: running · \d+s/)
      session.keys('C-c')
      await session.waitFor(/Cancel export job job\d+/)
      session.type(answer)
      session.keys('Enter')
      const done = await session.waitFor(/EXIT=\d+/)
      expect(done).to.contain('EXIT=130')
      const id = lastJob()
      expect(server.jobs.get(id)!.cancelled).to.equal(answer === 'y')
      if (answer === 'n') expect(done).to.contain(`ivr logs download ${id}`)
    })
  }

  for (const answer of ['n', 'y'] as const) {
    it(`logs cancel asks before cancelling a running job (answer ${answer})`, async () => {
      server.nextJob({statuses: ['running']})
      session = new TmuxSession(['logs', 'export', '--since', '1d', '--no-wait'], {...server.env, NO_COLOR: '1'})
      await session.waitFor(/EXIT=0/)
      session.kill()
      const id = lastJob()
      session = new TmuxSession(['logs', 'cancel', id], {...server.env, NO_COLOR: '1'})
      await session.waitFor(new RegExp(`Cancel export job ${id}`))
      session.type(answer)
      session.keys('Enter')
      const done = await session.waitFor(/EXIT=\d+/)
      expect(done).to.contain(answer === 'y' ? 'EXIT=0' : 'EXIT=2')
      expect(server.jobs.get(id)!.cancelled === true).to.equal(answer === 'y')
    })
  }

  it('recordings config set asks for the password masked and never shows it', async () => {
    const password = 'tty-Secret-99'
    // The sandbox as the account: what was set is read from its state.
    const {startSandbox} = await import('../../../src/lib/sandbox/server.js')
    const api = await startSandbox({host: '127.0.0.1', port: 0})
    try {
      session = new TmuxSession(['recordings', 'config', 'set', '--protocol', 'sftp', '--host', 'files.example.com'], {IVR_ACCOUNT: 'acme', IVR_API_KEY: api.apiKey, IVR_BASE_URL: api.baseUrl, NO_COLOR: '1'})
      await session.waitFor(/Password/)
      session.type(password)
      expect(await session.waitFor(/Password.*\*{13}/)).not.to.contain(password)
      session.keys('Enter')
      const done = await session.waitFor(/EXIT=\d+/)
      expect(done).to.contain('EXIT=0').and.match(/Password:\s+set/)
      expect(done).not.to.contain(password)
      expect(api.engine.state.sub('acme').recordingConfig?.password).to.equal(password)
    } finally {
      await api.close()
    }
  })
})
