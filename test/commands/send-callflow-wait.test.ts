import {expect} from 'chai'
import {promises as fs} from 'node:fs'

import {leaseDir} from '../../src/lib/lease/lease.js'
import {discoveryFile} from '../../src/lib/sandbox/connect.js'
import {listSessions} from '../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../src/lib/sandbox/server.js'
import {storeFileFor} from '../../src/lib/sessions/store.js'
import {startTail} from '../../src/lib/webhooks/tail.js'
import {runIvr} from '../helpers/run.js'
import {announceSandbox} from '../helpers/sandbox.js'

const MENU = 'examples/menus/support-callback.yaml'
const FROM = '+6531591234'

describe('send-callflow --wait, --press and --menu', () => {
  beforeEach(() => fs.rm(process.env.IVR_DATA_DIR as string, {recursive: true, force: true}))

  it('runs a whole IVR on the sandbox: prompt said, digit captured, menu answered, summary printed', async () => {
    const r = await runIvr(['send-callflow', '--menu', MENU, '--from', FROM, '--to', '+6591234567', '--sandbox', '--wait', '--press', '1'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.contain('CREATED')
    expect(r.stdout).to.contain('prompt: "Hello, this is the support team')
    expect(r.stdout).to.contain('caller pressed 1')
    expect(r.stdout).to.match(/VCA ACTION_COMPLETED -> http:\/\/127\.0\.0\.1:\d+\/ 200/)
    expect(r.stdout).to.contain('say: "Glad to hear it is solved.')
    expect(r.stdout).to.match(/COMPLETED, last action HANGUP/)
    expect(r.stderr).to.match(/menu: callback 1 \S/)
  })

  it('bridges to the agent when the callee presses 2 (two legs)', async () => {
    const r = await runIvr(['send-callflow', '--menu', MENU, '--from', FROM, '--to', '+6591234567', '--sandbox', '--wait', '--press', '2', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const out = JSON.parse(r.stdout)
    expect(out.sessionStatus).to.equal('CREATED')
    expect(out.outcome.sessionStatus).to.equal('COMPLETED')
    expect(out.outcome.summary.callCount).to.equal(2)
    expect(out.outcome.summary.details.callB.destination).to.match(/6562225678$/)
  })

  it('exits 7 for a session that did not complete, with the outcome still in the JSON', async () => {
    const r = await runIvr(['send-callflow', '--from', FROM, '--to', '+12025550101', '--say', 'Hello there.', '--hangup', '--sandbox', '--wait', '--json'])
    expect(r.exitCode).to.equal(7)
    expect(JSON.parse(r.stdout).outcome.sessionStatus).to.equal('BUSY')
    const human = await runIvr(['send-callflow', '--from', FROM, '--to', '+12025550104', '--say', 'Hello there.', '--hangup', '--sandbox', '--wait'])
    expect(human.exitCode).to.equal(7)
    expect(human.stdout).to.contain('-2004')
    expect(human.stderr).to.contain('The session ended ERROR, not COMPLETED')
  })

  it('refuses --press without --sandbox, and a bad --timeout, with exit 2', async () => {
    let r = await runIvr(['send-callflow', '--from', FROM, '--to', '+6591234567', '--say', 'Hi.', '--press', '1'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('needs --sandbox')
    r = await runIvr(['send-callflow', '--from', FROM, '--to', '+6591234567', '--say', 'Hi.', '--sandbox', '--wait', '--timeout', 'soon'])
    expect(r.exitCode).to.equal(2)
    r = await runIvr(['send-callflow', 'examples/callflows/tts-reminder.json', '--menu', MENU, '--from', FROM, '--to', '+6591234567'])
    expect(r.exitCode).to.equal(2)
  })

  it('refuses --menu --sandbox without --wait (exit 2), since the call would outlive the menu answering it; nothing is sent', async () => {
    const sb = await startSandbox({host: '127.0.0.1', port: 0})
    try {
      const dataDir = process.env.IVR_DATA_DIR as string
      await announceSandbox(dataDir, sb)
      const r = await runIvr(['send-callflow', '--menu', MENU, '--from', FROM, '--to', '+6591234567', '--sandbox'])
      expect(r.exitCode, r.stdout).to.equal(2)
      expect(r.stderr).to.contain('add --wait')
      expect(r.stdout).not.to.contain('CREATED')
      const listed = await runIvr(['sandbox', 'sessions', '--json'])
      expect(listed.exitCode, listed.stderr).to.equal(0)
      expect(JSON.parse(listed.stdout).sessions).to.have.length(0)
    } finally {
      await fs.rm(discoveryFile(process.env.IVR_DATA_DIR as string), {force: true})
      await sb.close()
    }
  })

  it('on Ctrl-C while waiting, puts the menu\'s VCA webhook back and names the created session, in the JSON envelope too (exit 130)', async () => {
    // Real time: the call is still under way when Ctrl-C comes.
    const sb = await startSandbox({host: '127.0.0.1', port: 0, realtime: true})
    const dataDir = process.env.IVR_DATA_DIR as string
    const sigintListeners = process.listenerCount('SIGINT')
    try {
      await announceSandbox(dataDir, sb)
      const running = runIvr(['send-callflow', '--menu', MENU, '--from', FROM, '--to', '+6591234567', '--sandbox', '--wait', '--timeout', '8s', '--json'])
      let sessions: Array<{sessionId: string}> = []
      for (let i = 0; i < 100 && sessions.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        sessions = await listSessions(sb)
      }
      expect(sessions, 'the call was placed').to.have.length(1)
      process.emit('SIGINT')
      const r = await running
      expect(r.exitCode, r.stderr).to.equal(130)
      const error = JSON.parse(r.stdout).error
      expect(error.code).to.equal('INTERRUPTED')
      expect(error.message).to.contain(`session ${sessions[0].sessionId} was created and goes on`)
      expect(sb.engine.state.sub(sb.subAccountId).webhooks.VCA, 'the VCA webhook of the run is removed').to.equal(undefined)
      expect(await fs.readdir(leaseDir(process.env.IVR_CONFIG_DIR as string)).catch(() => []), 'no lease left').to.deep.equal([])
      expect(process.listenerCount('SIGINT')).to.equal(sigintListeners)
    } finally {
      await fs.rm(discoveryFile(dataDir), {force: true})
      await sb.close()
    }
  })

  describe('against a running sandbox', () => {
    let sb: RunningSandbox
    beforeEach(async () => {
      sb = await startSandbox({host: '127.0.0.1', port: 0})
      const dataDir = process.env.IVR_DATA_DIR as string
      await announceSandbox(dataDir, sb)
    })
    afterEach(() => sb.close())

    it('puts the previous VCA webhook back after a --menu run', async () => {
      let r = await runIvr(['webhooks', 'create', '--sandbox', '--type', 'VCA', '--url', 'https://mine.example.com/vca'])
      expect(r.exitCode, r.stderr).to.equal(0)
      r = await runIvr(['send-callflow', '--menu', MENU, '--from', FROM, '--to', '+6591234567', '--sandbox', '--wait', '--press', '1'])
      expect(r.exitCode, r.stderr).to.equal(0)
      r = await runIvr(['webhooks', 'list', '--sandbox', '--json'])
      expect(JSON.parse(r.stdout).webhooks.find((w: {type: string; url: string}) => w.type === 'VCA').url).to.equal('https://mine.example.com/vca')
    })

    it('refuses to replace a VCA webhook whose auth header it could not restore', async () => {
      await sb.engine.registerWebhook(sb.subAccountId, 'VCA', 'https://mine.example.com/vca', 'Bearer s3cret-hdr')
      const r = await runIvr(['send-callflow', '--menu', MENU, '--from', FROM, '--to', '+6591234567', '--sandbox', '--wait'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.contain('could not restore the header')
      expect(r.stderr).not.to.contain('s3cret-hdr')
    })
  })

  describe('with a real account (the sandbox reached as one, its summaries through a receiver)', () => {
    let sb: RunningSandbox
    let env: Record<string, string>
    before(async () => {
      sb = await startSandbox({host: '127.0.0.1', port: 0})
      env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: sb.apiKey, IVR_BASE_URL: sb.baseUrl}
    })
    after(() => sb.close())

    it('waits on the local store, says when no receiver runs, and exits 6 when nothing arrives', async () => {
      const r = await runIvr(['send-callflow', '--from', FROM, '--to', '+6591234567', '--say', 'Hi.', '--wait', '--timeout', '1s'], {env})
      expect(r.exitCode).to.equal(6)
      expect(r.stderr).to.contain('No `ivr sessions tail` is running')
      expect(r.stderr).to.match(/No session summary for \S+ arrived within 1 s/)
    })

    it('prints the summary once the receiver stores it, and exits by its outcome', async () => {
      const tail = await startTail({storeFile: storeFileFor(process.env.IVR_DATA_DIR as string, 'acme'), pid: process.pid, warn: () => {}, host: '127.0.0.1', port: 0})
      sb.engine.state.sub('acme').webhooks.VSS = {type: 'VSS', url: tail.url, enabled: true}
      try {
        // A magic number: rings out, no answer.
        const r = await runIvr(['send-callflow', '--from', FROM, '--to', '+12025550102', '--say', 'Hi.', '--wait', '--timeout', '20s'], {env})
        expect(r.exitCode, r.stderr).to.equal(7)
        expect(r.stderr).not.to.contain('No `ivr sessions tail` is running')
        expect(r.stdout).to.contain('NO_ANSWER')
      } finally {
        delete sb.engine.state.sub('acme').webhooks.VSS
        await tail.stop()
      }
    })
  })
})
