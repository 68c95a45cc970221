import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {freePort, postJson, untilListening} from '../../helpers/net.js'
import {runIvr} from '../../helpers/run.js'

const vca = (p: Record<string, unknown>) => JSON.stringify({namespace: 'VOICE', eventType: 'CALL_ACTION', payload: {sessionId: 'rec-0001', callStatus: 'ACTION_COMPLETED', callDirection: 'INBOUND', source: '+6591234567', destination: '+6531591234', ...p}})

/** Runs `ivr serve ARGS` in-process, walks main → 2 (staff) → 1 (transfer), then Ctrl-C. */
async function serveAndWalk(args: string[], env: Record<string, string> = {}) {
  const port = await freePort()
  const before = new Set(process.listeners('SIGINT'))
  const running = runIvr(['serve', 'examples/menus/restaurant.yaml', '--port', String(port), ...args], {env}).finally(() => {
    // The command leaves a "second Ctrl-C exits at once" listener behind; in-process, it would end the next run.
    for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.off('SIGINT', l)
  })
  try {
    await untilListening(port)
    const url = `http://127.0.0.1:${port}/`
    await postJson(url, vca({callStatus: 'CALL_RECEIVED'}))
    await postJson(url, vca({clientActionId: 'main', eventData: {dtmf: '2'}}))
    await postJson(url, vca({clientActionId: 'staff', eventData: {dtmf: '1'}}))
  } finally {
    process.emit('SIGINT')
  }
  return running
}

const lines = async (file: string) => (await fs.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))

describe('serve records decisions', function () {
  this.timeout(40_000)
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'serve-record-'))
  })
  // Its own config folder: what other tests leave in the shared one is not this test's business.
  const env = (more: Record<string, string> = {}) => ({IVR_CONFIG_DIR: path.join(dir, 'config'), ...more})
  afterEach(() => fs.rm(dir, {recursive: true, force: true}))

  it("by default in the sub-account's decision log in the data folder, and says where", async () => {
    const dataDir = path.join(dir, 'data')
    const r = await serveAndWalk(['--account', 'acme-1'], env({IVR_DATA_DIR: dataDir}))
    expect(r.exitCode).to.equal(0)
    const file = path.join(dataDir, 'decisions', 'acme-1.ndjson')
    expect(r.stderr).to.contain(`recording decisions in ${file}`)
    const kept = await lines(file)
    expect(kept.map((d) => [d.session, d.node, d.digits, d.input, d.outcome])).to.deep.equal([
      ['rec-0001', null, null, 'call', 'menu'],
      ['rec-0001', 'main', '2', 'choice', 'menu'],
      ['rec-0001', 'staff', '1', 'choice', 'transfer'],
    ])
    expect(new Set(kept.map((d) => d.menu))).to.deep.equal(new Set(['Restaurant reservations']))
  })

  it('in the file --record names, and nowhere with --no-record', async () => {
    const dataDir = path.join(dir, 'data')
    const file = path.join(dir, 'mine.ndjson')
    expect((await serveAndWalk(['--record', file], env({IVR_DATA_DIR: dataDir}))).exitCode).to.equal(0)
    expect(await lines(file)).to.have.length(3)
    const r = await serveAndWalk(['--no-record'], env({IVR_DATA_DIR: dataDir}))
    expect(r.exitCode).to.equal(0)
    expect(r.stderr).not.to.contain('recording decisions')
    expect(await fs.readdir(dataDir).catch(() => [])).not.to.include('decisions')
    expect(await lines(file)).to.have.length(3)
  })

  it('still serves when the stored accounts cannot be read, recording under "default" and saying so', async () => {
    const dataDir = path.join(dir, 'data')
    await fs.mkdir(path.join(dir, 'config'), {recursive: true})
    await fs.writeFile(path.join(dir, 'config', 'accounts.json'), '{not json', {mode: 0o600})
    const r = await serveAndWalk([], env({IVR_DATA_DIR: dataDir}))
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stderr).to.contain('Recording decisions under "default"')
    expect(await lines(path.join(dataDir, 'decisions', 'default.ndjson'))).to.have.length(3)
  })

  it('refuses to start when --record cannot be written (exit 4), before listening', async () => {
    const blocker = path.join(dir, 'a-file')
    await fs.writeFile(blocker, '')
    const r = await runIvr(['serve', 'examples/menus/restaurant.yaml', '--port', String(await freePort()), '--record', path.join(blocker, 'x.ndjson')], {env: env()})
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain('Cannot record decisions in')
    expect(r.stderr).to.contain('--no-record')
  })
})

describe('send-callflow --menu --sandbox records decisions', function () {
  this.timeout(40_000)
  beforeEach(() => fs.rm(process.env.IVR_DATA_DIR as string, {recursive: true, force: true}))

  it("in the sandbox sub-account's decision log, like serve", async () => {
    const r = await runIvr(['send-callflow', '--menu', 'examples/menus/support-callback.yaml', '--from', '+6531591234', '--to', '+6591234567', '--sandbox', '--wait', '--press', '2', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const sessionId = JSON.parse(r.stdout).sessionId
    const dir = path.join(process.env.IVR_DATA_DIR as string, 'decisions')
    const files = await fs.readdir(dir)
    expect(files).to.have.length(1)
    const kept = await lines(path.join(dir, files[0]))
    expect(kept.map((d) => [d.session, d.node, d.digits, d.input, d.outcome])).to.deep.equal([[sessionId, 'callback', '2', 'choice', 'transfer']])
  })
})
