// `ivr campaign …` through the real CLI against the sandbox: the README's one line, one public URL
// for both webhooks, and the run's options a user sees the effect of (issue 15).
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {projectRoot, runIvr} from '../../helpers/run.js'

const MENU = path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml')
const CONTACTS = path.join(projectRoot, 'examples', 'campaigns', 'contacts.csv')

/** A loopback "tunnel": forwards every request to `target`, noting each method and path. */
async function startTunnel(target: () => string): Promise<{url: string; seen: string[]; close(): Promise<void>}> {
  const seen: string[] = []
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    const upstream = http.request(`${target()}${req.url}`, {method: req.method, headers: req.headers}, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  return {
    url: `http://127.0.0.1:${port}`, seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

async function freePort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('campaign commands on the sandbox', function () {
  this.timeout(90_000)
  let dir: string
  let env: Record<string, string>

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-camp-cli-'))
    env = {IVR_DATA_DIR: path.join(dir, 'data'), IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache')}
  })
  afterEach(async () => {
    await fs.rm(dir, {recursive: true, force: true})
  })

  it("the README's one line shows who pressed what (the sandbox started for the run presses keys)", async () => {
    const readme = await fs.readFile(path.join(projectRoot, 'README.md'), 'utf8')
    const line = readme.split('\n').find((l) => l.startsWith('npx ivr campaign create demo'))
    expect(line, 'the one-line campaign in the README').to.be.a('string')
    const outputs = []
    for (const command of line!.split(' && ')) {
      const r = await runIvr(command.replace(/^npx ivr /, '').split(' '), {env})
      expect(r.exitCode, `${command}\n${r.stderr}`).to.equal(0)
      outputs.push(r.stdout)
    }
    const results = outputs.at(-1)!
    const rows = results.split('\n').filter((l) => /^\d+ /.test(l))
    expect(rows, results).to.have.length(8)
    // Answered calls show the digit pressed and the menu's path; busy and unanswered ones none.
    const pressed = rows.filter((r) => /COMPLETED\s+1\s+[123]\s+reminder:[123]\s/.test(r))
    expect(pressed.length, results).to.be.at.least(3)
    expect(rows.find((r) => r.includes('+12025550101')), results).to.match(/BUSY/)
    // --outcome takes the words the progress line shows (no-answer) as well as NO_ANSWER.
    const filtered = await runIvr(['campaign', 'results', 'demo', '--outcome', 'no-answer,busy', '--json'], {env})
    expect(filtered.exitCode, filtered.stderr).to.equal(0)
    const outcomes = (JSON.parse(filtered.stdout) as {results: Array<{number: string; outcome: string}>}).results.map((r) => `${r.number} ${r.outcome}`)
    expect(outcomes).to.have.members(['+12025550101 BUSY', '+12025550102 NO_ANSWER'])
  })

  it('the plan: dialing time at the rate (or the live limit) spread over the window, and the cost at a price per minute', async () => {
    const list = path.join(dir, 'k.csv')
    await fs.writeFile(list, `phone,name\n${Array.from({length: 1000}, (_, i) => `+6581${700_000 + i},P${i}`).join('\n')}\n`)
    const base = ['campaign', 'create', 'plan', '--contacts', list, '--menu', MENU, '--from', '+6531591234', '--dry-run']
    // 1,000 calls at 0.01/s: 100,000 s (27h46m); 4 hours a day open: 6.9 days; one billed minute each at 0.02.
    const slow = await runIvr([...base, '--rate', '0.01', '--max-live', '100', '--window', '09:00-13:00', '--price-per-minute', '0.02', '--currency', 'USD'], {env})
    expect(slow.exitCode, slow.stderr).to.equal(0)
    expect(slow.stderr).to.include('Plan: 1,000 contacts to call at 0.01/s, at most 100 live.')
    expect(slow.stderr).to.include('about 4 h a day open')
    expect(slow.stderr).to.include('Estimated: 27h46m of dialing for the first calls, over about 6.9 days of the window')
    expect(slow.stderr).to.include('Estimated cost: 20 USD at 0.02/min')
    // At 100/s the live limit rules: 10 calls of 45 s at once, 1,000 calls: 4,500 s.
    const limited = await runIvr([...base, '--rate', '100', '--max-live', '10'], {env})
    expect(limited.exitCode, limited.stderr).to.equal(0)
    expect(limited.stderr).to.include('Estimated: 1h15m of dialing for the first calls (assuming 45 s calls')
    expect(limited.stderr).to.not.include('Estimated cost')
  })

  describe('with an account (the sandbox, reached as a real platform)', () => {
    let sb: RunningSandbox
    let accountEnv: Record<string, string>
    beforeEach(async () => {
      sb = await startSandbox({host: '127.0.0.1', port: 0, population: {presses: {'1': 1}}})
      accountEnv = {...env, IVR_ACCOUNT: sb.subAccountId, IVR_API_KEY: sb.apiKey, IVR_BASE_URL: sb.baseUrl}
    })
    afterEach(async () => {
      await sb.close()
    })

    it('one --public-url registers the menu at /vca and the receiver at /vss of one listener, and puts both back after', async () => {
      const port = await freePort()
      const tunnel = await startTunnel(() => `http://127.0.0.1:${port}`)
      try {
        const created = await runIvr(['campaign', 'create', 'one', '--contacts', CONTACTS, '--menu', MENU, '--from', '+6531591234', '--rate', '20'], {env: accountEnv})
        expect(created.exitCode, created.stderr).to.equal(0)
        const run = await runIvr(['campaign', 'run', 'one', '--public-url', tunnel.url, '--port', String(port)], {env: accountEnv})
        expect(run.exitCode, run.stderr).to.equal(0)
        expect(run.stderr).to.include(`menu at http://127.0.0.1:${port}/vca (registered as ${tunnel.url}/vca)`)
        expect(run.stderr).to.include(`summaries at http://127.0.0.1:${port}/vss (registered as ${tunnel.url}/vss)`)
        // Through the one public URL: the call actions and the summaries.
        expect(tunnel.seen).to.include('POST /vca')
        expect(tunnel.seen).to.include('POST /vss')
        const results = await runIvr(['campaign', 'results', 'one', '--json'], {env: accountEnv})
        const rows = (JSON.parse(results.stdout) as {results: Array<{outcome: string; digits: string}>}).results
        expect(rows.filter((r) => r.outcome === 'COMPLETED' && r.digits === '1').length, results.stdout).to.be.at.least(3)
        // Registrations are put back: the sub-account had none.
        expect(sb.engine.state.sub(sb.subAccountId).webhooks.VCA).to.equal(undefined)
        expect(sb.engine.state.sub(sb.subAccountId).webhooks.VSS).to.equal(undefined)
      } finally {
        await tunnel.close()
      }
    })
  })
})
