import {spawn} from 'node:child_process'
import {existsSync, promises as fs} from 'node:fs'
import path from 'node:path'

import {expect} from 'chai'

import {writeFileAtomic} from '../../../src/lib/fs-atomic.js'
import {discoveryFile} from '../../../src/lib/sandbox/connect.js'
import {getTimeline, startInboundCall} from '../../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {cliSpawnArgs, runBin, runIvr} from '../../helpers/run.js'
import {TmuxSession} from '../../helpers/tmux.js'
import {TestReceiver} from '../../lib/sandbox/receiver.js'

const dataDir = () => process.env.IVR_DATA_DIR!

describe('ivr sandbox commands', () => {
  let sb: RunningSandbox
  let rx: TestReceiver

  beforeEach(async () => {
    sb = await startSandbox({retryDelaysMs: [1]})
    rx = await new TestReceiver().start()
    await writeFileAtomic(discoveryFile(dataDir()), JSON.stringify({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, pid: process.pid, startedAt: new Date().toISOString()}))
  })
  afterEach(async () => {
    await fs.rm(discoveryFile(dataDir()), {force: true})
    await sb.close()
    await rx.close()
  })

  describe('sandbox call', () => {
    it('runs an inbound call with scripted presses, prints its timeline and exits 0 when COMPLETED', async () => {
      sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
      const r = await runIvr(['sandbox', 'call', '--from', '+6598765432', '--to', '+6531591234', '--press', '7'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout).to.include('caller pressed 7')
      // The A leg of an inbound call is the caller, calling the virtual number (not "calling" their own number).
      expect(r.stdout).to.include('A call from +6598765432 to +6531591234').and.not.include('calling +6598765432')
      expect(r.stdout).to.include('"You pressed 7. Goodbye."')
      expect(r.stdout).to.match(/Session \S+: COMPLETED/)
    })

    it('exits 7 when the session ends otherwise, with the reason', async () => {
      sb.engine.registerWebhook('sandbox', 'VCA', `${rx.url}/vca`)
      rx.handler = () => ({status: 500})
      const r = await runIvr(['sandbox', 'call', '--from', '+6598765432'])
      expect(r.exitCode).to.equal(7)
      expect(r.stdout).to.include('error -2003')
      expect(r.stdout).to.include('HTTP 500')
    })

    it('registers a loopback webhook on the sandbox without warning that the platform cannot reach it', async () => {
      const r = await runIvr(['webhooks', 'create', '--sandbox', '--type', 'VCA', '--url', 'http://127.0.0.1:3000/vca'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout).to.include('Registered VCA')
      expect(r.stderr).not.to.include('cannot reach')
    })

    it('says what to do when the sub-account has no VCA webhook', async () => {
      const r = await runIvr(['sandbox', 'call', '--from', '+6598765432'])
      expect(r.exitCode).to.equal(4)
      expect(r.stderr).to.include('no VCA webhook')
      expect(r.stderr).to.include('/sandbox/demo-vca')
    })

    it('prints only the timeline JSON under --json', async () => {
      sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
      const r = await runIvr(['sandbox', 'call', '--from', '+6598765432', '--press', '3', '--json'])
      expect(r.exitCode).to.equal(0)
      const t = JSON.parse(r.stdout)
      expect(t.summary.sessionStatus).to.equal('COMPLETED')
      expect(t.events.filter((e: {kind: string; type?: string}) => e.kind === 'webhook' && e.type === 'VCA')).to.have.length(2)
    })
  })

  describe('sandbox sessions', () => {
    it('lists the sessions and shows one timeline', async () => {
      sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
      const id = sb.engine.startInbound({from: '+6598765432', to: '+6531591234', presses: '5'})
      await sb.engine.waitForEnd(id)
      const list = await runIvr(['sandbox', 'sessions'])
      expect(list.exitCode).to.equal(0)
      expect(list.stdout).to.include(id)
      expect(list.stdout).to.include('COMPLETED')
      const one = await runIvr(['sandbox', 'sessions', id, '--json'])
      expect(JSON.parse(one.stdout)).to.include({sessionId: id, state: 'ended'})
      const missing = await runIvr(['sandbox', 'sessions', 'no-such-session'])
      expect(missing.exitCode).to.equal(5)
    })

    it('lists newest first, times in local time like every list, ISO in UTC with --utc', async () => {
      sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
      const older = sb.engine.startInbound({from: '+6598765432', to: '+6531591234', presses: '5'})
      await sb.engine.waitForEnd(older)
      const newer = sb.engine.startInbound({from: '+6598765433', to: '+6531591234', presses: '5'})
      await sb.engine.waitForEnd(newer)
      const rows = (await runIvr(['sandbox', 'sessions'])).stdout.split('\n').filter((l) => l.includes(older) || l.includes(newer))
      expect(rows[0]).to.include(newer)
      expect(rows[1]).to.include(older)
      const started = (JSON.parse((await runIvr(['sandbox', 'sessions', '--json'])).stdout).sessions as Array<{sessionId: string; startedAt: string}>).find((x) => x.sessionId === newer)!.startedAt
      const d = new Date(started)
      const p2 = (n: number) => String(n).padStart(2, '0')
      expect(rows[0]).to.include(`${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`)
      expect((await runIvr(['sandbox', 'sessions', '--utc'])).stdout).to.include(d.toISOString())
    })
  })
})

describe('ivr sandbox start', function () {
  this.timeout(30_000)

  it('prints the credentials, writes the discovery file, serves, and cleans up on Ctrl-C', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_CONFIG_DIR!, '..', 'start-'))
    const cli = cliSpawnArgs(['sandbox', 'start', '--port', '0', '--api-key', 'k-123', '--population', 'answer=70,busy=30', '--presses', '1=60,none=40', '--seed', '7', '--cps', '50', '--max-calls', '20'])
    const child = spawn(cli.command, cli.args, {env: {...process.env, ...cli.env, IVR_DATA_DIR: dir}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    const until = Date.now() + 20_000
    while (!/Sandbox running at (\S+)/.test(stdout) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
    const baseUrl = /Sandbox running at (\S+)/.exec(stdout)![1]
    expect(stdout).to.include('API key:      k-123')
    expect(stdout).to.include('population:   answers answer=70,busy=30; presses 1=60,none=40; seed 7')
    expect(stdout).to.include('limits:       50 calls/s, 20 live calls')
    const d = JSON.parse(await fs.readFile(discoveryFile(dir), 'utf8'))
    expect(d).to.include({baseUrl, apiKey: 'k-123', subAccountId: 'sandbox', pid: child.pid})
    expect((await fs.stat(discoveryFile(dir))).mode & 0o777).to.equal(0o600)
    // Another command finds it through the discovery file.
    const numbers = await runIvr(['numbers', 'list', '--sandbox', '--json'], {env: {IVR_DATA_DIR: dir}})
    expect(JSON.parse(numbers.stdout).numbers.map((n: {msisdn: string}) => n.msisdn)).to.include('+6531591234')
    child.kill('SIGINT')
    expect(await exited).to.equal(0)
    expect(existsSync(discoveryFile(dir))).to.equal(false)
  })

  it('stops on Ctrl-C without waiting for a call that waits for keys', async () => {
    const dir = await fs.mkdtemp(path.join(process.env.IVR_CONFIG_DIR!, '..', 'stop-'))
    const cli = cliSpawnArgs(['sandbox', 'start', '--port', '0'])
    const child = spawn(cli.command, cli.args, {env: {...process.env, ...cli.env, IVR_DATA_DIR: dir}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    try {
      const until = Date.now() + 20_000
      while (!/Sandbox running at (\S+)/.test(stdout) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      const baseUrl = /Sandbox running at (\S+)/.exec(stdout)![1]
      const target = {baseUrl, apiKey: 'sandbox-key', subAccountId: 'sandbox'}
      expect((await runIvr(['webhooks', 'create', '--sandbox', '--type', 'VCA', '--url', `${baseUrl}/sandbox/demo-vca`], {env: {IVR_DATA_DIR: dir}})).exitCode).to.equal(0)
      // The demo menu waits twice 10 s for a key: the live call would hold the process that long.
      const {sessionId} = await startInboundCall(target, {from: '+6598765432', to: '+6531591234', interactive: true})
      while (!(await getTimeline(target, sessionId)).events.some((e) => e.kind === 'waiting')) await new Promise((r) => setTimeout(r, 50))
      child.kill('SIGINT')
      const ended = await Promise.race([exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('still running after 8 s'), 8000))])
      expect(ended).to.equal('exited')
      expect(await exited).to.equal(0)
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('refuses a state file that is not JSON, saying which and what to do', async () => {
    const file = path.join(process.env.IVR_CONFIG_DIR!, '..', 'broken-state.json')
    await fs.writeFile(file, '{"version": 1, "subAcc')
    const r = await runIvr(['sandbox', 'start', '--port', '0', '--state', file])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.include('broken-state.json is not valid JSON')
    expect(r.stderr).not.to.match(/\n\s+at /)
  })

  it('refuses a population, presses or limit it cannot read, saying which, before serving', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--population', 'answer=70,bussy=30'], /--population: "bussy" is not an outcome/],
      [['--presses', '1=60,x'], /--presses: "x" is not name=weight/],
      [['--cps', '0'], /--cps: "0" is not a number of calls per second above 0/],
    ]
    for (const [flags, message] of cases) {
      const r = await runIvr(['sandbox', 'start', '--port', '0', ...flags])
      expect(r.exitCode, flags.join(' ')).to.equal(4)
      expect(r.stderr).to.match(message)
    }
  })

  describe('a second sandbox start', () => {
    let first: RunningSandbox
    let discovery: string
    beforeEach(async () => {
      first = await startSandbox({})
      // Another process's sandbox: its pid is not ours.
      discovery = JSON.stringify({baseUrl: first.baseUrl, apiKey: first.apiKey, subAccountId: 'sandbox', pid: 2_000_000_000, startedAt: '2026-12-01T08:00:00.000Z'})
      await writeFileAtomic(discoveryFile(dataDir()), discovery)
    })
    afterEach(async () => {
      await fs.rm(discoveryFile(dataDir()), {force: true})
      await first.close()
    })

    it('refuses while the first still runs, says which runs, and leaves its discovery file alone', async () => {
      const r = await runIvr(['sandbox', 'start', '--port', '0'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include(`A sandbox already runs at ${first.baseUrl} (pid 2000000000`)
      expect(r.stderr).to.include('--take-over')
      expect(await fs.readFile(discoveryFile(dataDir()), 'utf8')).to.equal(discovery)
    })

    it('with --take-over serves, points --sandbox at itself, and hands the file back to the first when it stops', async () => {
      const cli = cliSpawnArgs(['sandbox', 'start', '--port', '0', '--take-over'])
      const child = spawn(cli.command, cli.args, {env: {...process.env, ...cli.env}, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
      const until = Date.now() + 20_000
      while (!/Sandbox running at (\S+)/.test(stdout) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      const baseUrl = /Sandbox running at (\S+)/.exec(stdout)![1]
      expect(JSON.parse(await fs.readFile(discoveryFile(dataDir()), 'utf8'))).to.include({baseUrl, pid: child.pid})
      expect(stderr).to.include(`took over from the sandbox at ${first.baseUrl}`)
      child.kill('SIGINT')
      expect(await exited).to.equal(0)
      expect(JSON.parse(await fs.readFile(discoveryFile(dataDir()), 'utf8'))).to.include({baseUrl: first.baseUrl, pid: 2_000_000_000})
    })
  })

  it('says so when the port is taken', async () => {
    const sb = await startSandbox({})
    try {
      const port = new URL(sb.baseUrl).port
      const r = await runIvr(['sandbox', 'start', '--port', port])
      expect(r.exitCode, 'port in use is a usage error everywhere (serve, sessions tail, sandbox start)').to.equal(2)
      expect(r.stderr).to.include(`Port ${port}`)
    } finally {
      await sb.close()
    }
  })
})

describe('ivr sandbox call --interactive', function () {
  this.timeout(40_000)
  let sb: RunningSandbox
  let dir: string
  beforeEach(async () => {
    sb = await startSandbox({})
    sb.engine.registerWebhook('sandbox', 'VCA', `${sb.baseUrl}/sandbox/demo-vca`)
    dir = await fs.mkdtemp(path.join(process.env.IVR_CONFIG_DIR!, '..', 'tmux-'))
    await writeFileAtomic(discoveryFile(dir), JSON.stringify({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: 'sandbox', pid: process.pid, startedAt: new Date().toISOString()}))
  })
  afterEach(async () => {
    await sb.close()
    await fs.rm(dir, {recursive: true, force: true})
  })
  const call = ['sandbox', 'call', '--from', '+6598765432', '--interactive', '--mute']
  const onlySession = () => {
    const sessions = sb.engine.listSessions('sandbox')
    expect(sessions).to.have.length(1)
    return sessions[0]
  }

  it('on a terminal, prints prompts as they play and sends the keys typed', async () => {
    const tmux = new TmuxSession(call, {IVR_DATA_DIR: dir, NO_COLOR: '1'})
    try {
      await tmux.waitFor(/Press any key/)
      await tmux.waitFor(/Your keys \(1 digit\)/)
      tmux.type('8')
      tmux.keys('Enter')
      const screen = await tmux.waitFor(/EXIT=\d+/)
      expect(screen).to.include('You pressed 8')
      expect(screen).to.include('EXIT=0')
    } finally {
      tmux.kill()
    }
  })

  it('Ctrl-D hangs up as the caller: a COMPLETED session, exit 0', async () => {
    const tmux = new TmuxSession(call, {IVR_DATA_DIR: dir, NO_COLOR: '1'})
    try {
      await tmux.waitFor(/Your keys/)
      tmux.keys('C-d')
      const screen = await tmux.waitFor(/EXIT=\d+/)
      expect(screen).to.include('the caller hung up').and.include('EXIT=0')
      expect(onlySession()).to.include({state: 'ended', sessionStatus: 'COMPLETED'})
    } finally {
      tmux.kill()
    }
  })

  it('Ctrl-C hangs up too (the session ends in the sandbox), then exits 130', async () => {
    const tmux = new TmuxSession(call, {IVR_DATA_DIR: dir, NO_COLOR: '1'})
    try {
      await tmux.waitFor(/Your keys/)
      tmux.keys('C-c')
      const screen = await tmux.waitFor(/EXIT=\d+/)
      expect(screen).to.include('EXIT=130')
      expect(onlySession()).to.include({state: 'ended', sessionStatus: 'COMPLETED'})
    } finally {
      tmux.kill()
    }
  })

  it('without a terminal and without piped keys, refuses with exit 2 and places no call', async () => {
    const cli = cliSpawnArgs(call)
    const child = spawn(cli.command, cli.args, {env: {...process.env, ...cli.env, IVR_DATA_DIR: dir}, stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code).to.equal(2)
    expect(stderr).to.contain('needs a terminal').and.contain('pipe')
    expect(sb.engine.listSessions('sandbox')).to.have.length(0)
  })

  it('with keys on a pipe, presses them and hangs up when they run out', async () => {
    const r = await runBin(call, {input: '8\n', env: {IVR_DATA_DIR: dir}})
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.include('caller pressed 8')
    const empty = await runBin(call, {input: '', env: {IVR_DATA_DIR: dir}})
    expect(empty.exitCode, empty.stderr).to.equal(0)
    expect(empty.stdout).to.include('the caller hung up')
  })
})

describe('--sandbox with no sandbox running', () => {
  it('a command whose change must outlive it refuses, instead of making it in a sandbox that dies with it', async () => {
    await fs.rm(discoveryFile(dataDir()), {force: true})
    const cases = [
      ['webhooks', 'create', '--sandbox', '--type', 'VCA', '--url', 'https://ivr.example.com/vca'],
      ['webhooks', 'delete', 'VCA', '--sandbox', '--yes'],
      // Without --yes and no terminal: the missing sandbox is said, not "no terminal to ask on".
      ['webhooks', 'delete', '--type', 'VCA', '--sandbox'],
      ['recordings', 'config', 'set', '--sandbox', '--protocol', 'sftp', '--host', 'files.example.com', '--no-password'],
    ]
    for (const args of cases) {
      const r = await runIvr(args)
      expect(r.exitCode, args.join(' ')).to.equal(2)
      expect(r.stderr).to.include('No sandbox is running')
      expect(r.stderr).to.include('ivr sandbox start')
      expect(r.stdout).not.to.include('Registered')
    }
    // Reading needs no lasting sandbox: it still works in-process.
    expect((await runIvr(['webhooks', 'list', '--sandbox'])).exitCode).to.equal(0)
  })
})
