import {expect} from 'chai'

import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {runBin, runIvr} from '../../helpers/run.js'

const PASSWORD = 'Xq7-very-secret-pw'

// The real client against the sandbox (its recording push config and recordings, kept in its state).
describe('recordings (the sandbox as the account)', () => {
  let sb: RunningSandbox
  let env: Record<string, string>
  const sub = () => sb.engine.state.sub('acme')
  before(async () => {
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    env = {IVR_ACCOUNT: 'acme', IVR_API_KEY: sb.apiKey, IVR_BASE_URL: sb.baseUrl}
  })
  after(() => sb.close())
  beforeEach(() => {
    delete sub().recordingConfig
  })

  it('show says when nothing is configured (exit 0)', async () => {
    const r = await runIvr(['recordings', 'config', 'show'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('No recording push destination is configured')
    const j = await runIvr(['recordings', 'config', 'show', '--json'], {env})
    expect(JSON.parse(j.stdout)).to.deep.equal({configured: false, passwordSet: false})
  })

  it('set takes the password from stdin, sends it, and never prints it (not even with --debug)', async () => {
    const r = await runBin(['recordings', 'config', 'set', '--protocol', 'sftp', '--host', 'Files.Example.com', '--user', 'ivr', '--path', '/rec', '--password-stdin', '--debug'], {input: `${PASSWORD}\n`, env})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(sub().recordingConfig).to.deep.equal({protocol: 'sftp', host: 'files.example.com', port: 22, username: 'ivr', password: PASSWORD, path: '/rec'})
    expect(r.stdout + r.stderr).not.to.contain(PASSWORD)
    expect(r.stdout).to.match(/Password:\s+set/)
    const shown = await runIvr(['recordings', 'config', 'show', '--json'], {env})
    expect(JSON.parse(shown.stdout)).to.deep.equal({configured: true, protocol: 'sftp', host: 'files.example.com', port: 22, username: 'ivr', path: '/rec', passwordSet: true})
    expect(shown.stdout).not.to.contain(PASSWORD)
  })

  it('set changes only what is given; a new protocol brings its own default port', async () => {
    sub().recordingConfig = {protocol: 'sftp', host: 'files.example.com', port: 22, username: 'ivr', path: '/rec', password: 'old'}
    let r = await runIvr(['recordings', 'config', 'set', '--path', '/rec/2026'], {env})
    expect(r.exitCode).to.equal(0)
    expect(sub().recordingConfig).to.deep.include({protocol: 'sftp', host: 'files.example.com', port: 22, username: 'ivr', path: '/rec/2026'})
    expect(sub().recordingConfig?.password).to.equal(undefined)
    // No password went with it, and the destination lost its own: say so.
    expect(r.stderr).to.contain('No password was sent')
    r = await runIvr(['recordings', 'config', 'set', '--protocol', 'ftp'], {env})
    expect(sub().recordingConfig).to.include({protocol: 'ftp', port: 21})
  })

  it('rejects bad settings before sending anything (exit 4, or 2 when there is nothing to set)', async () => {
    let r = await runIvr(['recordings', 'config', 'set', '--protocol', 'sftp', '--host', 'sftp://files.example.com/rec'], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('give the host name only').and.contain('--host files.example.com')
    r = await runIvr(['recordings', 'config', 'set', '--host', 'files.example.com'], {env})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('--protocol')
    r = await runIvr(['recordings', 'config', 'set'], {env})
    expect(r.exitCode).to.equal(2)
    expect(sub().recordingConfig).to.equal(undefined)
  })

  it('delete asks for --yes without a terminal, then deletes', async () => {
    sub().recordingConfig = {protocol: 'ftp', host: 'ftp.example.com', port: 21}
    let r = await runIvr(['recordings', 'config', 'delete'], {env})
    expect(r.exitCode).to.equal(2)
    expect(sub().recordingConfig).to.not.equal(undefined)
    r = await runIvr(['recordings', 'config', 'delete', '--yes'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.contain('Deleted the recording push destination (ftp.example.com)')
    expect(sub().recordingConfig).to.equal(undefined)
  })

  it('the config topic describes itself, not as one of its commands', async () => {
    for (const env of [{}, {IVR_NO_FAST_PATH: '1'}]) {
      const r = await runBin(['recordings', 'config', '--help'], {env})
      expect(r.stdout.split('\n')[0]).to.equal('Where the platform pushes recordings (SFTP or FTP): show, set, delete.')
    }
    const topics = (await runBin(['recordings', '--help'])).stdout
    expect(topics).to.match(/recordings config\s+Where the platform pushes recordings/)
  })

  it('status lists the recordings of a session; none is exit 5', async () => {
    sub().recordingConfig = {protocol: 'sftp', host: 'files.example.com', path: '/rec'}
    const res = sb.engine.submitCallflow('acme', {callflow: [
      {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567', callRecording: true}},
      {action: 'say', params: {text: 'This call is recorded.', voiceProfile: 'en-US-ZiraRUS'}},
      {action: 'hangup'},
    ]}, {})
    const id = (res.body as {sessionId: string}).sessionId
    const rec = (await sb.engine.waitForEnd(id)).recording!
    expect(rec).to.include({status: 'pushed', externalFileUrl: `sftp://files.example.com/rec/rec-${id}.mp3`})
    let r = await runIvr(['recordings', 'status', id], {env})
    expect(r.exitCode, r.stderr).to.equal(0)
    // Local time, as every list prints times; ISO 8601 in UTC with --utc.
    const d = new Date(rec.startRecordingTime!)
    const p2 = (n: number) => String(n).padStart(2, '0')
    const local = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`
    const url = `sftp://files\\.example\\.com/rec/rec-${id}\\.mp3`
    expect(r.stdout).to.match(new RegExp(`rec-${id}\\s+pushed\\s+${rec.duration}s\\s+${local}\\s+${url}`))
    r = await runIvr(['recordings', 'status', id, '--utc'], {env})
    expect(r.stdout).to.match(new RegExp(`rec-${id}\\s+pushed\\s+${rec.duration}s\\s+${d.toISOString().replace(/\./g, '\\.')}\\s+${url}`))
    r = await runIvr(['recordings', 'status', '00000000-0000-4000-8000-000000000000'], {env})
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('No recordings for session')
  })
})
