import {expect} from 'chai'
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {Readable} from 'node:stream'

import {freePort, untilListening} from '../helpers/net.js'
import {cliSpawnArgs, runIvr} from '../helpers/run.js'
import {startSandbox} from '../../src/lib/sandbox/server.js'
import {announceSandbox} from '../helpers/sandbox.js'

interface Served {
  child: ChildProcessWithoutNullStreams
  url: string
  out: () => string
  err: () => string
  /** Resolves when stdout or stderr (as chosen) matches. */
  waitFor: (re: RegExp, stream?: 'out' | 'err') => Promise<void>
  stop: () => Promise<number>
}

/** Starts `ivr serve ARGS` as a real process and waits until it listens (or exits). */
function serve(args: string[], opts: {input?: string; env?: Record<string, string>} = {}): Promise<Served> {
  const cli = cliSpawnArgs(['serve', ...args, '--port', '0'])
  const child = spawn(cli.command, cli.args, {
    env: {...process.env, ...cli.env, ...opts.env} as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const waiters: Array<() => void> = []
  const poke = () => waiters.splice(0).forEach((w) => w())
  child.stdout.on('data', (d) => { out += d; poke() })
  child.stderr.on('data', (d) => { err += d; poke() })
  child.stdin.end(opts.input ?? '')
  const exited = new Promise<number>((resolve) => child.on('close', (code) => { poke(); resolve(code ?? 1) }))
  const waitFor = (re: RegExp, stream: 'out' | 'err' = 'err') => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; stdout: ${out}; stderr: ${err}`)), 15_000)
    const check = () => {
      if (re.test(stream === 'out' ? out : err)) {
        clearTimeout(timer)
        resolve()
      } else if (child.exitCode !== null) {
        clearTimeout(timer)
        reject(new Error(`exited ${child.exitCode}; stderr: ${err}`))
      } else waiters.push(check)
    }
    check()
  })
  return waitFor(/ on (http:\/\/\S+?);|Error/).then(() => {
    const url = / on (http:\/\/\S+?);/.exec(err)?.[1] ?? ''
    return {
      child, url, out: () => out, err: () => err, waitFor,
      stop: () => {
        child.kill('SIGINT')
        return exited
      },
    }
  }).catch(async (error) => {
    if (child.exitCode === null) child.kill('SIGKILL')
    throw error
  })
}

/** The JSON of a menu server's answer: the next steps of the call (absent only when the answer is empty). */
interface MenuAnswer {
  clientActionId?: string
  callflow: Array<{action: string; params: {promptMessage?: string}}>
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{status: number; body: MenuAnswer}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method: 'POST', headers: {'content-type': 'application/json', ...headers}}, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined}))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const vca = (p: Record<string, unknown>) => JSON.stringify({namespace: 'VOICE', eventType: 'CALL_ACTION', payload: {sessionId: 'a1b2c3d4-0000', callStatus: 'ACTION_COMPLETED', callDirection: 'INBOUND', source: '+6591234567', destination: '+6531591234', ...p}})

describe('serve', function () {
  this.timeout(40_000)
  let dir: string
  before(async () => {
    dir = await fs.mkdtemp(path.join(process.env.IVR_DATA_DIR ?? '/tmp', '..', 'serve-'))
  })

  it('answers VCA webhooks with one line each, the apology for what it cannot place, and stops on Ctrl-C', async () => {
    const s = await serve(['examples/menus/restaurant.yaml'])
    try {
      expect(s.err()).to.match(/Serving examples\/menus\/restaurant\.yaml \(6 nodes, entry main\) on http:\/\/127\.0\.0\.1:\d+\//)
      const first = await post(s.url, vca({callStatus: 'CALL_RECEIVED'}))
      expect(first.status).to.equal(200)
      expect(first.body.clientActionId).to.equal('main')
      const second = await post(s.url, vca({clientActionId: 'main', eventData: {dtmf: '2'}}))
      expect(second.body.clientActionId).to.equal('staff')
      const bad = await post(s.url, '{"this is": "not a VCA"')
      expect(bad.status).to.equal(200)
      expect(bad.body.callflow.map((a) => a.action)).to.deep.equal(['say', 'hangup'])
      await s.waitFor(/apology, hang up/, 'out')
      await s.waitFor(/Warning: Answered a request with the apology: the body is not JSON/)
      const lines = s.out().trim().split('\n')
      expect(lines[0]).to.match(/^\d\d:\d\d:\d\d {2}a1b2c3d4 {2}CALL {9}received {2}→ main {2}\d+\.\d ms$/)
      expect(lines[1]).to.match(/ {2}main {9}2 {9}→ staff /)
    } finally {
      expect(await s.stop()).to.equal(0)
    }
    expect(s.err()).to.contain('Answered 3 requests (1 with the apology); refused 0.')
  })

  it('checks the auth header read from stdin, prints NDJSON under --json, and never prints the header', async () => {
    const secret = 'Bearer s3cr3t-menu-token'
    const port = await freePort()
    const url = `http://127.0.0.1:${port}/vca`
    // In-process (fast); stdin carries the header, Ctrl-C is a signal to this process.
    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!
    Object.defineProperty(process, 'stdin', {value: Readable.from([secret]), configurable: true})
    const sigintListeners = process.listenerCount('SIGINT')
    const running = runIvr(['serve', 'examples/menus/support-callback.yaml', '--auth-header-stdin', '--json', '--port', String(port), '--path', '/vca'])
    let statuses: number[]
    try {
      await untilListening(port)
      statuses = [
        (await post(url, vca({callStatus: 'CALL_RECEIVED'}))).status,
        (await post(url, vca({callStatus: 'CALL_RECEIVED'}), {authorization: 'Bearer nope'})).status,
        (await post(url, vca({callStatus: 'CALL_RECEIVED'}), {authorization: secret})).status,
        (await post(url.replace('/vca', '/other'), vca({callStatus: 'CALL_RECEIVED'}), {authorization: secret})).status,
      ]
    } finally {
      process.emit('SIGINT')
      Object.defineProperty(process, 'stdin', stdin)
    }
    const r = await running
    // The "second Ctrl-C exits at once" listener ends with the command: left behind, the next
    // Ctrl-C meant for another command run in this process would exit it with 130.
    expect(process.listenerCount('SIGINT')).to.equal(sigintListeners)
    expect(statuses).to.deep.equal([401, 401, 200, 404])
    expect(r.exitCode).to.equal(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).to.have.length(1)
    expect(JSON.parse(lines[0])).to.include({sessionId: 'a1b2c3d4-0000', outcome: 'menu', node: 'callback', taken: 'call received'})
    expect(r.stderr).to.contain('401 POST /vca: missing Authorization header')
    expect(r.stdout + r.stderr).not.to.contain('s3cr3t')
  })

  it('refuses to serve a menu with errors (exit 4)', async () => {
    const file = path.join(dir, 'broken.yaml')
    await fs.writeFile(file, 'nodes:\n  main:\n    say: Press 1.\n    choices: {"1": gone}\n')
    const r = await runIvr(['serve', file, '--port', String(await freePort())])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.contain(`${file}:4:15  error  $.nodes.main.choices["1"] leads to node "gone", which does not exist`)
    expect(r.stderr).to.contain('has 1 error; not serving it')
  })

  it('with --watch, reloads a good change and keeps the last good menu when a change fails the check', async () => {
    const file = path.join(dir, 'watched.yaml')
    const v1 = 'nodes:\n  main:\n    say: Version one. Press 1.\n    choices: {"1": hangup}\n    invalid: repeat\n    noInput: repeat\n'
    await fs.writeFile(file, v1)
    const s = await serve([file, '--watch'])
    try {
      const prompt = async () => (await post(s.url, vca({callStatus: 'CALL_RECEIVED'}))).body.callflow[0].params.promptMessage
      expect(await prompt()).to.equal('Version one. Press 1.')
      await fs.writeFile(file, v1.replace('Version one', 'Version two'))
      await s.waitFor(/Reloaded/)
      expect(await prompt()).to.equal('Version two. Press 1.')
      await fs.writeFile(file, v1.replace('Version one', 'Version three').replace('hangup}', 'nowhere}'))
      await s.waitFor(/still serving the last good menu/)
      expect(s.err()).to.contain('leads to node "nowhere", which does not exist')
      expect(await prompt()).to.equal('Version two. Press 1.')
    } finally {
      await s.stop()
    }
  })

  it('under --sandbox with no sandbox running, warns that it runs one inside itself only once it listens: a port in use is the only thing said', async () => {
    const env = {IVR_DATA_DIR: path.join(dir, 'no-sandbox-data'), IVR_CONFIG_DIR: path.join(dir, 'no-sandbox-config')}
    const taken = http.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as {port: number}).port
    try {
      const r = await runIvr(['serve', 'examples/menus/restaurant.yaml', '--sandbox', '--port', String(port)], {env})
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.contain(`Port ${port} on 127.0.0.1 is in use`)
      expect(r.stderr).not.to.contain('No sandbox was running')
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
    const s = await serve(['examples/menus/restaurant.yaml', '--sandbox'], {env})
    await s.stop()
    expect(s.err()).to.contain('No sandbox was running, so one runs inside this command')
  })

  it('under --sandbox, points the sandbox VCA webhook at itself: a call walks the menu, and the webhook is removed on exit', async () => {
    const sb = await startSandbox({host: '127.0.0.1', port: 0})
    const dataDir = path.join(dir, 'sandbox-data')
    await announceSandbox(dataDir, sb)
    const env = {IVR_DATA_DIR: dataDir, IVR_CONFIG_DIR: path.join(dir, 'sandbox-config')}
    try {
      const s = await serve(['examples/menus/restaurant.yaml', '--sandbox'], {env})
      try {
        expect(s.err()).to.contain('Registered the VCA webhook of sandbox')
        const sessionId = sb.engine.startInbound({from: '+6591234567', to: '+6531591234', presses: ['1', '1', '1']})
        const t = await sb.engine.waitForEnd(sessionId)
        expect(t.sessionStatus).to.equal('COMPLETED')
        expect(t.events.filter((e) => e.kind === 'say').map((e) => (e as {text: string}).text).join(' ')).to.contain('Your table for today is booked')
      } finally {
        await s.stop()
      }
      expect(s.err()).to.contain('Removed the temporary VCA webhook.')
      expect(sb.engine.state.sub(sb.subAccountId).webhooks.VCA).to.equal(undefined)
    } finally {
      await sb.close()
    }
  })
})
