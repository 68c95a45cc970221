// Loaded before every test file (.mocharc.json): isolated folders, no real network, no stray settings.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import nock from 'nock'

const root = mkdtempSync(path.join(tmpdir(), 'ivr-test-'))
// Each mocha process (and worker) removes its own folders when it ends: runs do not pile up in /tmp.
process.on('exit', () => rmSync(root, {recursive: true, force: true}))
process.env.IVR_CONFIG_DIR = path.join(root, 'config')
process.env.IVR_CACHE_DIR = path.join(root, 'cache')
process.env.IVR_DATA_DIR = path.join(root, 'data')
for (const k of ['IVR_ACCOUNT', 'IVR_API_KEY', 'IVR_BASE_URL', 'IVR_SANDBOX', 'IVR_WEBHOOK_AUTH', 'IVR_DATABASE_URL', 'HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy', 'FORCE_COLOR']) delete process.env[k]
process.env.NO_COLOR = '1'
// Commands (in-process and spawned) retry an API request after 5 ms, not the tool's 1 s: a test of an
// unreachable API counts its retries instead of waiting them out (the client's tests check the 1 s schedule).
process.env.IVR_RETRY_WAIT = '0.005'
// oclif loads commands from src (through tsx) only outside production.
process.env.NODE_ENV = 'test'

// No test reaches the internet: only loopback is allowed.
nock.disableNetConnect()
nock.enableNetConnect((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)(:\d+)?$/.test(host))

// Under `mocha --parallel` (npm test): one PostgreSQL server for all worker processes, started here in
// the main process before the workers fork and stopped after they end. A serial run starts it on first use.
export async function mochaGlobalSetup(this: {isParallelMode?: () => boolean}): Promise<void> {
  if (!this.isParallelMode?.()) return
  const {sharePostgresWithWorkers} = await import('./postgres.js')
  await sharePostgresWithWorkers()
}

export async function mochaGlobalTeardown(this: {isParallelMode?: () => boolean}): Promise<void> {
  if (!this.isParallelMode?.()) return
  const {stopTestPostgres} = await import('./postgres.js')
  await stopTestPostgres()
}
