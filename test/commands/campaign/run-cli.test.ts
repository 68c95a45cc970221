// `campaign run` (and check, reconcile) as a user runs them: the run as the built CLI in a child process, on a
// terminal or not, against a sandbox found through the data folder (issue 15: run, check, reconcile). The
// commands around it (create, check, status, pause...) only say something and exit: they run in-process.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {listSessions} from '../../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {spawnIvr, until} from '../../helpers/cli-process.js'
import {freePort} from '../../helpers/net.js'
import {projectRoot, runBin, runIvr} from '../../helpers/run.js'
import {TmuxSession} from '../../helpers/tmux.js'
import {announceSandbox, sandboxProxy} from '../../helpers/sandbox.js'

const MENU = path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml')

describe('campaign run and friends, as a user runs them', function () {
  this.timeout(120_000)
  let dir: string
  let sb: RunningSandbox
  let env: Record<string, string>
  const cleanups: Array<() => unknown> = []

  const contacts = async (numbers: string[], extra = '') => {
    const file = path.join(dir, `contacts-${Math.random().toString(36).slice(2)}.csv`)
    await fs.writeFile(file, `phone,name${extra ? `,${extra.split('=')[0]}` : ''}\n${numbers.map((n, i) => `${n},Person ${i}${extra ? `,${extra.split('=')[1]}` : ''}`).join('\n')}\n`)
    return file
  }
  const numbers = (n: number, base: number) => Array.from({length: n}, (_, i) => `+6581${String(base + i).padStart(6, '0')}`)

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-camp-run-'))
    sb = await startSandbox({host: '127.0.0.1', port: 0, population: {presses: {'1': 1}}})
    env = {IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache')}
    await announceSandbox(env.IVR_DATA_DIR, sb)
  })
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
    await sb.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  it('several --from take turns, one per call; validUntil is cut to the end of the calling window', async () => {
    const proxy = await sandboxProxy(sb.baseUrl)
    cleanups.push(() => proxy.close())
    await announceSandbox(env.IVR_DATA_DIR, sb, proxy.url)
    // A zone where it is midday now, so a window ending in 3 minutes needs no wrap past midnight.
    const now = Date.now()
    const offset = 12 - new Date(now).getUTCHours()
    const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`
    const local = (t: number) => new Date(t + offset * 3_600_000).toISOString().slice(11, 16)
    const closes = Math.floor(now / 60_000) * 60_000 + 3 * 60_000
    const list = await contacts(numbers(6, 100), `timezone=${zone}`)
    const create = await runIvr(['campaign', 'create', 'turns', '--contacts', list, '--menu', MENU, '--from', '+6531591234', '--from', '+6531591235',
      '--rate', '10', '--window', `${local(now - 3_600_000)}-${local(closes)}`, '--valid-for', '1h', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)
    const run = await runBin(['campaign', 'run', 'turns', '--sandbox'], {env, timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).to.equal(0)
    // Calls are dialed in contact order, but two in flight can reach the server in either order: take
    // each contact's request, in the contacts' order (their numbers ascend).
    const byContact = [...proxy.sent].sort((a, b) => a.callflow[0].params.destination.localeCompare(b.callflow[0].params.destination))
    expect(byContact.map((r) => r.callflow[0].params.source)).to.deep.equal(['+6531591234', '+6531591235', '+6531591234', '+6531591235', '+6531591234', '+6531591235'])
    // Asked for an hour of validity, each request is valid only until the window closes.
    expect(proxy.sent.map((r) => r.validUntil)).to.deep.equal(Array(6).fill(new Date(closes).toISOString()))
  })

  it('Ctrl-C stops starting calls and exits 130; run again resumes and calls the rest, nobody twice', async () => {
    // 27 calls still to start after the third (5 s at 5/s): a loaded machine's late Ctrl-C still comes mid-run.
    const list = numbers(30, 200)
    const create = await runIvr(['campaign', 'create', 'stop', '--contacts', await contacts(list), '--menu', MENU, '--from', '+6531591234', '--rate', '5', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)
    const first = spawnIvr(['campaign', 'run', 'stop', '--sandbox'], env)
    cleanups.push(() => first.child.exitCode === null && first.child.kill('SIGKILL'))
    await until('three calls', 30_000, () => (first.stdout().match(/"type":"call"/g)?.length ?? 0) >= 3)
    first.child.kill('SIGINT')
    expect(await first.exited, first.stderr()).to.equal(130)
    expect(first.stdout()).to.match(/"type":"end","reason":"stopped"/)
    const placedFirst = (await listSessions(sb)).length
    expect(placedFirst).to.be.within(3, list.length - 1)

    const again = await runBin(['campaign', 'run', 'stop', '--sandbox'], {env, timeoutMs: 60_000})
    expect(again.exitCode, again.stderr).to.equal(0)
    expect(again.stdout).to.match(/"type":"end","reason":"finished"/)
    const destinations = (await listSessions(sb)).map((s) => s.destination).sort()
    expect(destinations).to.deep.equal([...list].sort())
  })

  it('on a terminal: a progress bar with counts per outcome while it runs, then the final status', async () => {
    const create = await runIvr(['campaign', 'create', 'tty', '--contacts', await contacts(numbers(10, 300)), '--menu', MENU, '--from', '+6531591234', '--rate', '5', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)
    const term = new TmuxSession(['campaign', 'run', 'tty', '--sandbox'], {...env, NO_COLOR: '1'})
    cleanups.push(() => term.kill())
    const during = await term.waitFor(/[█░]{10,} \d+% [1-9]\d*\/10 · completed \d+ · live \d+ · [\d.]+\/s/, 30_000)
    expect(during).to.not.match(/"type":/)
    const after = await term.waitFor(/EXIT=\d+/, 60_000)
    expect(after).to.match(/Campaign tty: finished/)
    expect(after).to.match(/Outcomes: COMPLETED 10\./)
    expect(after).to.match(/EXIT=0/)
    // The results table fits an 80-column terminal as `sessions list` does: every row on one line.
    const results = new TmuxSession(['campaign', 'results', 'tty'], {...env, NO_COLOR: '1'}, {columns: 80})
    cleanups.push(() => results.kill())
    const screen = await results.waitFor(/EXIT=\d+/, 30_000)
    const lines = screen.slice(0, screen.indexOf('EXIT=')).split('\n').filter((l) => l.trim() !== '')
    // A header and the 10 rows, nothing wrapped onto a line of its own.
    expect(lines, screen).to.have.length(11)
    expect(lines.slice(1).every((l) => /^\d+\s+\+65/.test(l)), screen).to.equal(true)
  })

  it('--no-receive: says when no `sessions tail` fills the store; with one running, outcomes come from its store', async () => {
    const create = await runIvr(['campaign', 'create', 'nr', '--contacts', await contacts(numbers(4, 400)), '--menu', MENU, '--from', '+6531591234', '--rate', '10', '--live-timeout', '2s', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)
    // Alone: nothing fills the store, so the calls end without summaries (after the live timeout).
    const port = await freePort()
    const tail = spawnIvr(['sessions', 'tail', '--register', '--sandbox', '--port', String(port), '--public-url', `http://127.0.0.1:${port}`], env)
    cleanups.push(async () => {
      if (tail.child.exitCode === null) tail.child.kill('SIGINT')
      await tail.exited
    })
    await until('the receiver to listen', 30_000, () => /Listening on/.test(tail.stderr()) || tail.child.exitCode !== null)
    const run = await runBin(['campaign', 'run', 'nr', '--sandbox', '--no-receive'], {env, timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).to.equal(0)
    expect(run.stderr).to.match(/summaries from .*\.ndjson/)
    expect(run.stderr).to.not.match(/No `ivr sessions tail` is filling/)
    const results = await runIvr(['campaign', 'results', 'nr', '--json'], {env})
    const rows = (JSON.parse(results.stdout) as {results: Array<{outcome: string; digits: string}>}).results
    expect(rows.map((r) => r.outcome)).to.deep.equal(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED'])
    tail.child.kill('SIGINT')
    await tail.exited

    const create2 = await runIvr(['campaign', 'create', 'nr2', '--contacts', await contacts(numbers(2, 450)), '--menu', MENU, '--from', '+6531591234', '--rate', '10', '--live-timeout', '2s', '--sandbox'], {env})
    expect(create2.exitCode, create2.stderr).to.equal(0)
    const alone = await runBin(['campaign', 'run', 'nr2', '--sandbox', '--no-receive'], {env, timeoutMs: 60_000})
    expect(alone.exitCode, alone.stderr).to.equal(0)
    expect(alone.stderr).to.match(/No `ivr sessions tail` is filling/)
    const rows2 = (JSON.parse((await runIvr(['campaign', 'results', 'nr2', '--json'], {env})).stdout) as {results: Array<{outcome: string}>}).results
    expect(rows2.map((r) => r.outcome)).to.deep.equal(['NO_SUMMARY', 'NO_SUMMARY'])
  })

  it('campaign check plans for who is left; campaign reconcile settles an uncertain contact from a store holding its summary', async () => {
    const list = numbers(5, 500)
    const lost = list[2]
    const proxy = await sandboxProxy(sb.baseUrl, {loseAnswerTo: lost})
    cleanups.push(() => proxy.close())
    await announceSandbox(env.IVR_DATA_DIR, sb, proxy.url)
    const create = await runIvr(['campaign', 'create', 'rc', '--contacts', await contacts(list), '--menu', MENU, '--from', '+6531591234', '--rate', '10', '--live-timeout', '2s', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)
    const check = await runIvr(['campaign', 'check', 'rc', '--sandbox'], {env})
    expect(check.exitCode, check.stderr).to.equal(0)
    expect(check.stderr).to.match(/Plan: 5 contacts to call at 10\/s/)
    expect(check.stderr).to.match(/Campaign rc passes the check\./)

    // Another machine's receiver keeps the summaries (its own data folder); this run reads nothing.
    const other = {...env, IVR_DATA_DIR: path.join(dir, 'other-data')}
    await announceSandbox(other.IVR_DATA_DIR, sb)
    const port = await freePort()
    const tail = spawnIvr(['sessions', 'tail', '--register', '--sandbox', '--port', String(port), '--public-url', `http://127.0.0.1:${port}`, '--json'], other)
    cleanups.push(async () => {
      if (tail.child.exitCode === null) tail.child.kill('SIGINT')
      await tail.exited
    })
    await until('the receiver to listen', 30_000, () => /Listening on/.test(tail.stderr()) || tail.child.exitCode !== null)
    const run = await runBin(['campaign', 'run', 'rc', '--sandbox', '--no-receive'], {env, timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).to.equal(0)
    await until('five summaries at the other receiver', 30_000, () => (tail.stdout().match(/"SESSION_SUMMARY"/g)?.length ?? 0) >= 5)
    tail.child.kill('SIGINT')
    await tail.exited
    const status = await runIvr(['campaign', 'status', 'rc'], {env})
    expect(status.stdout).to.match(/1 uncertain/)

    const after = await runIvr(['campaign', 'check', 'rc', '--sandbox'], {env})
    expect(after.stderr).to.match(/Plan: 0 contacts to call/)

    const storeFile = (await fs.readdir(path.join(other.IVR_DATA_DIR, 'sessions'))).find((f) => f.endsWith('.ndjson'))!
    const reconcile = await runIvr(['campaign', 'reconcile', 'rc', '--store', path.join(other.IVR_DATA_DIR, 'sessions', storeFile)], {env})
    expect(reconcile.exitCode, reconcile.stderr).to.equal(0)
    expect(reconcile.stdout).to.match(new RegExp(`settled  contact 3 \\${lost}: COMPLETED`))
    // The uncertain one and the four whose summaries never reached this run (NO_SUMMARY after the live timeout).
    expect(reconcile.stderr).to.match(/5 settled, 0 still uncertain/)
    const rows = (JSON.parse((await runIvr(['campaign', 'results', 'rc', '--json'], {env})).stdout) as {results: Array<{number: string; outcome: string}>}).results
    expect(rows.find((r) => r.number === lost)?.outcome).to.equal('COMPLETED')
  })

  it('pause, resume and cancel from another terminal: the run stops calling, goes on, then ends with the rest CANCELLED', async () => {
    const list = numbers(30, 600)
    const create = await runIvr(['campaign', 'create', 'ctl', '--contacts', await contacts(list), '--menu', MENU, '--from', '+6531591234', '--rate', '5', '--sandbox'], {env})
    expect(create.exitCode, create.stderr).to.equal(0)
    // Not running: pause marks it, resume says to run it.
    const idle = await runIvr(['campaign', 'resume', 'ctl'], {env})
    expect(idle.exitCode, idle.stderr).to.equal(0)
    expect(idle.stderr).to.match(/is not being run\. Start it with `ivr campaign run ctl`/)

    const run = spawnIvr(['campaign', 'run', 'ctl', '--sandbox'], env)
    cleanups.push(() => run.child.exitCode === null && run.child.kill('SIGKILL'))
    const calls = () => run.stdout().match(/"type":"call"/g)?.length ?? 0
    await until('two calls', 30_000, () => calls() >= 2)
    const pause = await runIvr(['campaign', 'pause', 'ctl'], {env})
    expect(pause.exitCode, pause.stderr).to.equal(0)
    expect(pause.stderr).to.match(/Campaign ctl: pausing/)
    await until('the run to pause', 10_000, () => /"type":"paused"/.test(run.stdout()))
    const atPause = calls()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(calls(), 'no call starts while paused').to.equal(atPause)
    const resume = await runIvr(['campaign', 'resume', 'ctl'], {env})
    expect(resume.exitCode, resume.stderr).to.equal(0)
    await until('more calls after resuming', 15_000, () => calls() > atPause + 1)
    const cancel = await runIvr(['campaign', 'cancel', 'ctl'], {env})
    expect(cancel.exitCode, cancel.stderr).to.equal(0)
    expect(cancel.stderr).to.match(/cancelled: nobody more will be called/)
    expect(await run.exited, run.stderr()).to.equal(0)
    expect(run.stdout()).to.match(/"type":"end","reason":"cancelled"/)
    const placed = (await listSessions(sb)).length
    expect(placed).to.be.below(list.length)
    const rows = (JSON.parse((await runIvr(['campaign', 'results', 'ctl', '--json'], {env})).stdout) as {results: Array<{outcome: string}>}).results
    expect(rows.filter((r) => r.outcome === 'CANCELLED')).to.have.length(list.length - placed)
    const again = await runIvr(['campaign', 'pause', 'ctl'], {env})
    expect(again.exitCode).to.equal(2)
    expect(again.stderr).to.match(/is cancelled; it cannot be paused/)
  })
})
