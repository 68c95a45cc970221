import {expect} from 'chai'
import {execFile, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {projectRoot} from '../helpers/run.js'

// The built CLI as installed (npm ci builds it): the fast paths must say exactly what oclif says.
function ivr(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), ...args], {encoding: 'utf8', env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', COLUMNS: '80', ...env}})
  return {stdout: r.stdout, stderr: r.stderr, status: r.status}
}

describe('startup fast paths (built CLI)', function () {
  // Each case starts the CLI several times, in turn, through oclif too: seconds each on a loaded machine.
  this.timeout(60_000)
  before(function () {
    if (!existsSync(path.join(projectRoot, 'dist', 'help-cache.json'))) throw new Error('dist/ is not built: run `npm run build` (npm ci does it).')
  })

  it('prints the version in oclif\'s form without loading oclif', () => {
    const {version} = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
    const fast = ivr(['--version'])
    expect(fast.status).to.equal(0)
    expect(fast.stdout.trim()).to.equal(`ivr/${version} ${process.platform}-${process.arch} node-${process.version}`)
    expect(ivr(['--version'], {IVR_NO_FAST_PATH: '1'}).stdout).to.equal(fast.stdout)
  })

  for (const args of [['--help'], ['profiles', 'list', '--help'], ['help', 'webhooks', 'create'], ['accounts', '--help']]) {
    it(`answers \`ivr ${args.join(' ')}\` from the help cache exactly as oclif would`, () => {
      const fast = ivr(args)
      const slow = ivr(args, {IVR_NO_FAST_PATH: '1'})
      expect(fast.status).to.equal(0)
      expect(fast.stdout).to.equal(slow.stdout)
      expect(fast.stdout).to.contain('USAGE')
    })
  }

  it('answers with oclif\'s coloured help when colour is on', () => {
    const clean = {...process.env, NODE_ENV: 'production', COLUMNS: '80', FORCE_COLOR: '1'} as Record<string, string>
    delete clean.NO_COLOR
    const run = (extra: Record<string, string>) => spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), 'webhooks', 'create', '--help'], {encoding: 'utf8', env: {...clean, ...extra}}).stdout
    const fast = run({})
    expect(fast).to.contain('\u001B[1mUSAGE')
    expect(fast).to.equal(run({IVR_NO_FAST_PATH: '1'}))
  })

  it('lists every topic with a summary in the root help', () => {
    const out = ivr(['--help']).stdout
    for (const topic of ['accounts', 'numbers', 'profiles', 'webhooks']) expect(out).to.match(new RegExp(`^  ${topic}\\s+\\S`, 'm'))
  })

  describe('commands run from the bundle (dist/fast)', () => {
    let home: string
    let env: Record<string, string>
    before(() => {
      home = mkdtempSync(path.join(tmpdir(), 'ivr-fast-'))
      env = {IVR_CONFIG_DIR: path.join(home, 'config'), IVR_DATA_DIR: path.join(home, 'data'), IVR_CACHE_DIR: path.join(home, 'cache')}
      writeFileSync(path.join(home, 'bad.json'), '{"callflow": [{"action": "say"}]')
    })
    after(() => rmSync(home, {recursive: true, force: true}))

    it('loads no module of oclif from node_modules for a command of this CLI', () => {
      // What is loaded is the start-up time (npm run bench measures it): oclif's Config.load and its
      // modules took most of it. A preload lists every CommonJS module the process loaded.
      const list = path.join(home, 'loaded.json')
      const preload = path.join(home, 'list-loaded.cjs')
      writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))))`)
      const r = spawnSync(process.execPath, ['--require', preload, path.join(projectRoot, 'bin', 'run.js'), 'codes', '-1009'], {encoding: 'utf8', env: {...process.env, NODE_ENV: 'production', ...env}})
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stdout).to.contain('-1009')
      const oclif = (JSON.parse(readFileSync(list, 'utf8')) as string[]).filter((f) => f.includes(`${path.sep}@oclif${path.sep}`))
      expect(oclif).to.deep.equal([])
    })

    it('a command that reads only local files loads no network or crypto module of Node', () => {
      // Each is compiled and run at start when imported: reading the session store needs neither.
      const list = path.join(home, 'builtins.json')
      const preload = path.join(home, 'list-builtins.cjs')
      writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList)))`)
      for (const args of [['sessions', 'list'], ['accounts', 'list'], ['callflow', 'validate', 'examples/callflows/simple-ivr.json']]) {
        const r = spawnSync(process.execPath, ['--require', preload, path.join(projectRoot, 'bin', 'run.js'), ...args], {cwd: projectRoot, encoding: 'utf8', env: {...process.env, NODE_ENV: 'production', ...env}})
        expect(r.status, r.stderr).to.equal(0)
        const loaded = (JSON.parse(readFileSync(list, 'utf8')) as string[]).filter((m) => /^NativeModule (crypto|http|https|http2|tls|dns|zlib)$/.test(m))
        expect(loaded, args.join(' ')).to.deep.equal([])
      }
    })

    it('runs a command correctly where its code cache cannot be written', () => {
      // An install of its own (the built files, node_modules linked) whose cache folder is a file.
      const install = path.join(home, 'install')
      mkdirSync(path.join(install, 'dist'), {recursive: true})
      cpSync(path.join(projectRoot, 'bin'), path.join(install, 'bin'), {recursive: true})
      cpSync(path.join(projectRoot, 'package.json'), path.join(install, 'package.json'))
      cpSync(path.join(projectRoot, 'dist', 'fast', 'cli.cjs'), path.join(install, 'dist', 'fast', 'cli.cjs'))
      cpSync(path.join(projectRoot, 'dist', 'fast', 'commands.json'), path.join(install, 'dist', 'fast', 'commands.json'))
      symlinkSync(path.join(projectRoot, 'node_modules'), path.join(install, 'node_modules'))
      writeFileSync(path.join(install, 'dist', 'fast', 'cache'), '')
      const expected = ivr(['codes', '-1009'], {...env, IVR_NO_FAST_PATH: '1'})
      const r = spawnSync(process.execPath, [path.join(install, 'bin', 'run.js'), 'codes', '-1009'], {encoding: 'utf8', env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', COLUMNS: '80', ...env}})
      expect({stdout: r.stdout, stderr: r.stderr, status: r.status}).to.deep.equal(expected)
    })

    it('a command colours its output as through oclif', () => {
      // The bundle's chalk skips its terminal probe (scripts/bundle-fast-start.js): colours come from the level ivr sets.
      const clean = {...process.env, NODE_ENV: 'production', COLUMNS: '80', FORCE_COLOR: '1', ...env} as Record<string, string>
      delete clean.NO_COLOR
      const run = (extra: Record<string, string>) => spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), 'codes', '-1009'], {encoding: 'utf8', env: {...clean, ...extra}})
      const fast = run({})
      expect(fast.status).to.equal(0)
      expect(fast.stdout).to.contain('\u001B[1m-1009')
      expect(fast.stdout).to.equal(run({IVR_NO_FAST_PATH: '1'}).stdout)
    })

    // The bundle runs with V8's cache of its compiled code (bin/fast-load.js), one file per command,
    // written when the command first ends well. A cache is an aid, never a risk: whatever is in the file,
    // the command says what oclif says.
    it('runs a command correctly whatever its code cache holds: corrupt, cut short, empty, foreign', () => {
      const cacheDir = path.join(projectRoot, 'dist', 'fast', 'cache')
      const cacheFile = () => readdirSync(cacheDir).map((f) => path.join(cacheDir, f)).find((f) => path.basename(f).startsWith('codes.') && f.endsWith('.v8'))
      const expected = ivr(['codes', '-1009'], {...env, IVR_NO_FAST_PATH: '1'})
      expect(expected.status).to.equal(0)
      expect(ivr(['codes', '-1009'], env)).to.deep.equal(expected)
      const file = cacheFile()
      expect(file, 'a run that ended well leaves its code cache').to.be.a('string')
      const good = readFileSync(file!)
      // Bytes flipped past the header: V8 takes such a file for a cache unless it checks the content.
      const flipped = Buffer.from(good)
      for (let i = 0; i < 256; i++) flipped[Math.floor(good.length / 3) + i] ^= 0x5a
      const foreign = Buffer.from(good)
      foreign.writeUInt32LE(foreign.readUInt32LE(8) ^ 1, 8)
      for (const [what, bytes] of [['corrupt', flipped], ['cut short', good.subarray(0, good.length >> 1)], ['empty', Buffer.alloc(0)], ['foreign', foreign]] as const) {
        writeFileSync(file!, bytes)
        expect(ivr(['codes', '-1009'], env), what).to.deep.equal(expected)
        // ...and the next start has a good cache again.
        expect(readFileSync(file!).equals(bytes), what).to.equal(false)
      }
      expect(ivr(['codes', '-1009'], env)).to.deep.equal(expected)
    })

    // Output, errors and exit codes as oclif itself gives them (IVR_NO_FAST_PATH=1 runs everything through oclif).
    // The cases run side by side: each is two processes that mostly wait.
    const cases = [
      ['codes'], ['codes', '99', '--json'], ['codes', '--bogus'], ['codes', '--kind', 'nope'], ['accounts', 'list', '--csv', '--json'],
      ['callflow', 'validate', 'examples/callflows/simple-ivr.json', '--json'], ['callflow', 'validate', 'BAD'],
      ['menu', 'check', 'examples/menus/restaurant.yaml'], ['sessions', 'list', '--json'],
    ]
    it('a command says and exits as through oclif: output, errors, --json envelopes, exit codes', async () => {
      const run = (argv: string[], extra: Record<string, string>) => new Promise<{stdout: string; stderr: string; status: number | null}>((resolve) => {
        execFile(process.execPath, [path.join(projectRoot, 'bin', 'run.js'), ...argv], {cwd: projectRoot, env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', COLUMNS: '80', ...env, ...extra}}, (error, stdout, stderr) => {
          resolve({stdout, stderr, status: error ? (typeof error.code === 'number' ? error.code : null) : 0})
        })
      })
      await Promise.all(cases.map(async (args) => {
        const argv = args.map((a) => (a === 'BAD' ? path.join(home, 'bad.json') : a))
        const [fast, slow] = await Promise.all([run(argv, {}), run(argv, {IVR_NO_FAST_PATH: '1'})])
        expect(fast.stdout + fast.stderr, args.join(' ')).not.to.match(/\n\s+at /)
        expect(fast, args.join(' ')).to.deep.equal(slow)
      }))
    })
  })
})
