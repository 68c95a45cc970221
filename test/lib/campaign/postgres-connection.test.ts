import {expect} from 'chai'
import {createServer, type Server, type Socket} from 'node:net'

import {databaseTarget, openDatabase} from '../../../src/lib/campaign/postgres/connection.js'
import {ensureSchema} from '../../../src/lib/campaign/postgres/schema.js'
import {ExitCode, IvrError} from '../../../src/lib/errors.js'
import {databaseSetting} from '../../../src/lib/settings.js'
import {freshDatabase, testPostgres} from '../../helpers/postgres.js'

async function failureOf(promise: Promise<unknown>): Promise<IvrError> {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(IvrError)
    return error as IvrError
  }
  throw new Error('expected a failure')
}

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('campaign/postgres: connecting', function () {
  this.timeout(60_000)

  it('takes --db over IVR_DATABASE_URL, and tells when the password sits on the command line', () => {
    expect(databaseSetting(undefined, {})).to.equal(undefined)
    expect(databaseSetting(undefined, {IVR_DATABASE_URL: 'postgres://u:pw@h/d'})).to.deep.equal({url: 'postgres://u:pw@h/d', source: 'env', passwordInArgv: false})
    expect(databaseSetting('postgres://u:pw@h/d', {IVR_DATABASE_URL: 'postgres://other/x'})).to.deep.include({source: 'flag', passwordInArgv: true})
    expect(databaseSetting('postgres://u@h/d', {})).to.deep.include({passwordInArgv: false})
    expect(databaseSetting('postgres://h/d?password=pw', {})).to.deep.include({passwordInArgv: true})
  })

  it('shows a connection string without its password', () => {
    expect(databaseTarget('postgres://ivr:s3cret-Pw@db.example:5433/calls').display).to.equal('postgres://ivr:****@db.example:5433/calls')
    expect(databaseTarget('postgresql://db.example/calls?password=s3cret-Pw&sslmode=require').display)
      .to.equal('postgresql://db.example/calls?password=****&sslmode=require')
  })

  it('refuses what is not a postgres:// URL with a usage error that does not echo it', async () => {
    for (const raw of ['host=db password=s3cret-Pw', 'mysql://u:s3cret-Pw@db/x', 'postgres://']) {
      const e = await failureOf(Promise.resolve().then(() => databaseTarget(raw)))
      expect(e.exitCode).to.equal(ExitCode.USAGE)
      expect(e.message + e.suggestions.join(' ')).not.to.include('s3cret')
    }
  })

  it('an unreachable database is a network failure (exit 6) naming the server, never the password', async () => {
    const port = await closedPort()
    const debug: string[] = []
    const e = await failureOf(openDatabase(databaseTarget(`postgres://ivr:s3cret-Pw@127.0.0.1:${port}/calls`), {debug: (l) => debug.push(l)}))
    expect(e.exitCode).to.equal(ExitCode.NETWORK)
    expect(e.code).to.equal('DATABASE_UNREACHABLE')
    expect(e.message).to.include(`127.0.0.1:${port}`)
    expect(JSON.stringify([e.message, e.suggestions, debug])).not.to.include('s3cret')
    expect(debug.join('\n')).to.include(`postgres://ivr:****@127.0.0.1:${port}/calls`)
  })

  it('a server that accepts but never answers fails after the connect timeout, as a network failure', async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((s) => sockets.push(s))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = silent.address() as {port: number}
      const e = await failureOf(openDatabase(databaseTarget(`postgres://ivr:s3cret-Pw@127.0.0.1:${port}/calls`), {connectTimeoutMs: 300}))
      expect(e.exitCode).to.equal(ExitCode.NETWORK)
      expect(e.message).not.to.include('s3cret')
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('a wrong password is a credentials failure (exit 3) that shows neither password', async () => {
    const server = await testPostgres()
    const url = `postgres://${server.user}:Wrong-Pw-123@${server.host}:${server.port}/postgres`
    const e = await failureOf(openDatabase(databaseTarget(url)))
    expect(e.exitCode).to.equal(ExitCode.CREDENTIALS)
    expect(e.message).to.match(/refused the login/)
    expect(JSON.stringify([e.message, e.suggestions])).not.to.include('Wrong-Pw-123').and.not.to.include(server.password)
  })

  it('a database that does not exist is not found (exit 5) and says how to create it', async () => {
    const server = await testPostgres()
    const e = await failureOf(openDatabase(databaseTarget(server.url('no_such_db'))))
    expect(e.exitCode).to.equal(ExitCode.NOT_FOUND)
    expect(e.suggestions.join(' ')).to.match(/createdb/)
    expect(e.message).not.to.include(server.password)
  })

  it('sets up the tables once, even with several processes starting together on a fresh database', async () => {
    const url = await freshDatabase()
    const pools = await Promise.all([1, 2, 3, 4].map(() => openDatabase(databaseTarget(url))))
    try {
      await Promise.all(pools.map((p) => ensureSchema(p)))
      const {rows} = await pools[0].query('SELECT count(*)::int AS n FROM ivr_schema')
      expect(rows[0].n).to.equal(1)
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
  })
})
