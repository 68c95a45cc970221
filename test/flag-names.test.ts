// One meaning per flag name (issue 14, item 9): checked on the command manifest the build writes.
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {expect} from 'chai'

import {projectRoot, runIvr} from './helpers/run.js'

interface ManifestFlag {name: string; char?: string; type: 'boolean' | 'option'; summary?: string; hidden?: boolean; aliases?: string[]}
const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, ManifestFlag>}>}
const commands = Object.entries(manifest.commands)

describe('flag names mean one thing everywhere', () => {
  it('-o is --out in every command', () => {
    const dashO = commands.flatMap(([id, c]) => Object.values(c.flags).filter((f) => f.char === 'o').map((f) => `${id} --${f.name}`))
    expect(dashO.length).to.be.greaterThan(2)
    for (const f of dashO) expect(f).to.match(/ --out$/)
  })

  it('`callflow new --output`, its older spelling, still parses', async () => {
    for (const flag of ['--out', '--output', '-o']) {
      const r = await runIvr(['callflow', 'new', flag, 'x.yaml'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr, flag).to.contain('there is no terminal')
    }
  })

  it('webhooks delete takes --type as webhooks create does', () => {
    expect(manifest.commands['webhooks:delete'].flags.type?.type).to.equal('option')
    expect(manifest.commands['webhooks:create'].flags.type?.type).to.equal('option')
  })

  it('--force of sessions tail names both flags it works with', () => {
    expect(manifest.commands['sessions:tail'].flags.force.summary).to.contain('--register').and.contain('--sandbox')
  })

  it('--account, --base-url and --sandbox only on commands that use them', async () => {
    for (const id of ['codes', 'accounts:list', 'accounts:use', 'accounts:remove', 'logs:summarize', 'menu:start', 'menu:test', 'sandbox:start']) {
      const names = Object.keys(manifest.commands[id].flags)
      expect(names, id).to.include('debug')
      for (const global of ['account', 'base-url', 'sandbox']) expect(names, id).not.to.include(global)
    }
    for (const id of ['numbers:list', 'send-callflow', 'menu:check', 'sessions:list']) expect(Object.keys(manifest.commands[id].flags), id).to.include.members(['account', 'sandbox'])
    // menu graph reads a sub-account's traffic with --stats (--account, --sandbox), and calls no API.
    expect(Object.keys(manifest.commands['menu:graph'].flags)).to.include.members(['account', 'sandbox']).and.not.include('base-url')
    // These read a sub-account's local files (--account, --sandbox choose which) and call no API.
    for (const id of ['sessions:list', 'sessions:show', 'sessions:stats', 'sessions:replay', 'report', 'menu:stats']) {
      expect(Object.keys(manifest.commands[id].flags), id).to.include.members(['account', 'sandbox']).and.not.include('base-url')
      // Their --help says what --sandbox does there: no sandbox is started or needed.
      expect(manifest.commands[id].flags.sandbox.summary, id).to.contain("the sandbox sub-account's").and.not.contain('started for this command')
    }
    // Campaigns are not kept per sub-account: these touch only the journal (data folder or --db).
    for (const id of ['campaign:status', 'campaign:results', 'campaign:list', 'campaign:pause', 'campaign:resume', 'campaign:cancel']) {
      const names = Object.keys(manifest.commands[id].flags)
      expect(names, id).to.include.members(['debug', 'db'])
      for (const global of ['account', 'base-url', 'sandbox']) expect(names, id).not.to.include(global)
    }
    for (const id of ['campaign:create', 'campaign:run']) expect(Object.keys(manifest.commands[id].flags), id).to.include.members(['account', 'sandbox', 'base-url', 'db'])
    const r = await runIvr(['codes', '--sandbox'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.contain('--sandbox')
  })
})
