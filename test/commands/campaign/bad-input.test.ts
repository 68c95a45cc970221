// Bad input to `campaign create` and `campaign run`: each a clear message and the documented exit code, nothing dialed (issue 15, item 12).
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {listSessions} from '../../../src/lib/sandbox/control.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {acquireReceiverLock} from '../../../src/lib/sessions/lock.js'
import {storeFileFor} from '../../../src/lib/sessions/store.js'
import {projectRoot, runIvr} from '../../helpers/run.js'
import {announceSandbox} from '../../helpers/sandbox.js'

const MENU = path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml')

describe('campaign: bad input is refused with its exit code, and nothing is dialed', function () {
  this.timeout(60_000)
  let dir: string
  let sb: RunningSandbox
  let env: Record<string, string>

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-camp-bad-'))
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    const data = path.join(dir, 'data')
    await fs.mkdir(data, {recursive: true})
    // The commands find this sandbox (as `ivr sandbox start` leaves it).
    await announceSandbox(data, sb)
    env = {IVR_DATA_DIR: data, IVR_CONFIG_DIR: path.join(dir, 'config')}
  })
  afterEach(async () => {
    expect(await listSessions(sb), 'nothing was dialed').to.deep.equal([])
    await sb.close()
    await fs.rm(dir, {recursive: true, force: true})
  })

  const csv = async (name: string, text: string | Buffer) => {
    const file = path.join(dir, name)
    await fs.writeFile(file, text)
    return file
  }
  const create = (args: string[]) => runIvr(['campaign', 'create', ...args], {env})
  const base = async (contacts: string) => ['c1', '--contacts', contacts, '--menu', MENU, '--from', '+6531591234']

  it('a CSV with no number column: exit 4, naming the columns and --number-column', async () => {
    const r = await create(await base(await csv('a.csv', 'name,email\nAnn,a@example.com\n')))
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/no number column.*\(name, email\)/)
    expect(r.stderr).to.match(/--number-column/)
  })

  it('--number-column naming a column that is not there: exit 2', async () => {
    const r = await create([...(await base(await csv('a.csv', 'mobile no,name\n+6591230001,Ann\n'))), '--number-column', 'cell'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.match(/no column "cell".*mobile no, name/)
  })

  it('a file that is not UTF-8: exit 4 with how to convert it', async () => {
    const r = await create(await base(await csv('a.csv', Buffer.from('phone,name\n+6591230001,Jos\xe9\n', 'latin1'))))
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/is not UTF-8/)
    expect(r.stderr).to.match(/iconv/)
  })

  it('0 rows, and an empty file: exit 4', async () => {
    let r = await create(await base(await csv('a.csv', 'phone,name\n')))
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/no contacts \(0 rows\)/)
    r = await create(await base(await csv('b.csv', '')))
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/is empty/)
  })

  it('a row with a bad number is skipped and reported by row; --on-invalid refuse refuses the list', async () => {
    const file = await csv('a.csv', 'phone,name\n+6591230001,Ann\n12345,Bob\n+6591230001,Ann again\n')
    let r = await create([...(await base(file)), '--dry-run'])
    expect(r.exitCode).to.equal(0)
    expect(r.stderr).to.match(/skipped row 3: 12345 is too short/)
    expect(r.stderr).to.match(/skipped row 4: \+6591230001 is also on row 2/)
    r = await create([...(await base(file)), '--on-invalid', 'refuse'])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/error row 3: 12345 is too short/)
    expect(r.stderr).to.match(/was not created/)
    expect((await runIvr(['campaign', 'list', '--json'], {env})).stdout).to.match(/"campaigns": \[\]/)
  })

  it('a window that never opens: exit 2; one that never opens for a callee is reported for its row', async () => {
    const file = await csv('a.csv', 'phone,timezone\n+6591230001,Asia/Singapore\n')
    let r = await create([...(await base(file)), '--window', '09:00-09:00'])
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.match(/never opens/)
    r = await create([...(await base(file)), '--window', 'sun 25:00-26:00'])
    expect(r.exitCode).to.equal(2)
  })

  it('rate 0 or negative, and max-live that is not a whole number: exit 2', async () => {
    const file = await csv('a.csv', 'phone\n+6591230001\n')
    for (const bad of [['--rate', '0'], ['--rate=-2'], ['--max-live', '2.5']]) {
      const r = await create([...(await base(file)), ...bad])
      expect(r.exitCode, bad.join(' ')).to.equal(2)
      expect(r.stderr).to.match(/must be a positive/)
    }
  })

  it('a placeholder with no column, and a rendered callflow the validator refuses: exit 4 with CSV row numbers', async () => {
    const flow = path.join(dir, 'flow.json')
    await fs.writeFile(flow, JSON.stringify({callflow: [
      {action: 'makeCall', params: {source: '{{from}}', destination: '{{to}}'}},
      {action: 'say', params: {text: 'Hello {{name}}. {{message}}', voiceProfile: 'en-US-Neural2-C'}},
    ]}))
    let r = await create(['c1', '--contacts', await csv('a.csv', 'phone,name\n+6591230001,Ann\n'), '--callflow', flow, '--from', '+6531591234'])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/placeholder \{\{message\}\} has no column/)
    r = await create(['c1', '--contacts', await csv('b.csv', `phone,name,message\n+6591230001,Ann,See you soon.\n+6591230002,Bob,${'x'.repeat(3000)}\n`), '--callflow', flow, '--from', '+6531591234'])
    expect(r.exitCode).to.equal(4)
    expect(r.stderr).to.match(/error row 3: may only be 3000 characters long.*\$\.callflow\[1\]\.params\.text/)
  })

  it('a name that exists: exit 2; --force replaces only a campaign that dialed nobody; run of a cancelled campaign: exit 2', async () => {
    const file = await csv('a.csv', 'phone\n+6591230001\n')
    expect((await create(await base(file))).exitCode).to.equal(0)
    let r = await create(await base(file))
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.match(/exists.*--force/s)
    expect((await create([...(await base(file)), '--force'])).exitCode).to.equal(0)
    r = await runIvr(['campaign', 'cancel', 'c1'], {env})
    expect(r.exitCode).to.equal(0)
    r = await runIvr(['campaign', 'run', 'c1', '--sandbox'], {env})
    expect(r.exitCode).to.equal(2)
    expect(r.stderr).to.match(/is cancelled: there is nobody left to call/)
  })

  it('a `sessions tail` already filling the store: exit 2, pointing at --no-receive (campaign run has no --store), before anything is dialed', async () => {
    expect((await create(await base(await csv('a.csv', 'phone\n+6591230001\n')))).exitCode).to.equal(0)
    // Another live process holds the store, as a running `ivr sessions tail --sandbox` does.
    const holder = spawn('sleep', ['60'], {stdio: 'ignore'})
    try {
      const store = storeFileFor(env.IVR_DATA_DIR, sb.subAccountId)
      await fs.mkdir(path.dirname(store), {recursive: true})
      const lock = await acquireReceiverLock(store, {pid: holder.pid!, url: 'http://127.0.0.1:8787', startedAt: new Date().toISOString()})
      const r = await runIvr(['campaign', 'run', 'c1', '--sandbox', '--json'], {env})
      await lock.release()
      expect(r.exitCode, r.stdout).to.equal(2)
      const {error} = JSON.parse(r.stdout)
      expect(error.code).to.equal('STORE_BUSY')
      expect(error.suggestions.join(' ')).to.contain('--no-receive').and.not.to.contain('--store')
    } finally {
      holder.kill()
    }
  })

  it('an unreachable --db: exit 6 before anything is dialed, and no password in the message', async () => {
    const file = await csv('a.csv', 'phone\n+6591230001\n')
    const r = await create([...(await base(file)), '--db', 'postgres://ivr:s3cret-pw@127.0.0.1:1/ivr'])
    expect(r.exitCode).to.equal(6)
    expect(r.stderr).to.not.include('s3cret-pw')
  })
})
