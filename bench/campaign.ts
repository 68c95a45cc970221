// Campaigns (npm run bench): the pacer's rate and lateness, the journal's cost per call against a bare
// loop of Send Callflow requests at the same rate, and a million contacts (create's memory, resume's
// time to the first dial). Each figure beside its baseline from the same run.
import {spawnSync} from 'node:child_process'
import {existsSync, promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {CampaignCounts} from '../src/lib/campaign/journal.js'
import {LocalCampaignStore} from '../src/lib/campaign/local-journal.js'
import {bareLoop, childSandbox, CONTACTS, FLOW, latenessOf, pacedFiles, printFigures, RATE, root, runCli, writeContacts} from './lib/campaign-setup.js'

const BIG = Number(process.env.BENCH_CAMPAIGN_BIG || 1_000_000)

/** Peak RSS (kB) and wall time of the real CLI running `args`: /usr/bin/time -v where there is one, else the max-rss preload. */
function measured(args: string[], env: Record<string, string>): {maxRssKb: number; seconds: number; ok: boolean; stderr: string} {
  const bin = path.join(root, 'bin', 'run.js')
  const time = existsSync('/usr/bin/time')
  const t = performance.now()
  const r = time
    ? spawnSync('/usr/bin/time', ['-v', process.execPath, bin, ...args], {env: {...process.env, NODE_ENV: 'production', ...env}, encoding: 'utf8'})
    : spawnSync(process.execPath, ['--require', path.join(root, 'bench', 'lib', 'max-rss.cjs'), bin, ...args], {env: {...process.env, NODE_ENV: 'production', ...env}, encoding: 'utf8'})
  const seconds = (performance.now() - t) / 1000
  const m = time ? /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr) : /max-rss-kb (\d+)/.exec(r.stderr)
  return {maxRssKb: m ? Number(m[1]) : Number.NaN, seconds, ok: r.status === 0, stderr: r.stderr}
}

async function big(dir: string): Promise<void> {
  const file = path.join(dir, 'big.csv')
  await writeContacts(file, BIG)
  const flow = path.join(dir, 'flow.json')
  await fs.writeFile(flow, JSON.stringify(FLOW))
  const data = path.join(dir, 'data')
  // The command as a user runs it, in a process of its own: its peak RSS is the figure.
  const env = {IVR_DATA_DIR: data, IVR_CONFIG_DIR: path.join(dir, 'config'), IVR_CACHE_DIR: path.join(dir, 'cache')}
  const idle = measured(['campaign', 'list'], env)
  const create = measured(['campaign', 'create', 'big', '--contacts', file, '--callflow', flow, '--from', '+6531591234', '--rate', '100', '--max-live', '100'], env)
  const mb = (kb: number) => (kb / 1024).toFixed(0)
  console.log(`  ivr campaign create, ${BIG.toLocaleString('en-US')} contacts: ${create.seconds.toFixed(1)} s, peak RSS ${mb(create.maxRssKb)} MB, ${(create.maxRssKb / 1024 / 300).toFixed(2)}x the 300 MB target (\`ivr campaign list\`: ${mb(idle.maxRssKb)} MB)${create.ok ? '' : `  FAILED: ${create.stderr.slice(-300)}`}`)
  // Resume: open the journal, join as a runner, claim the first contact (what precedes the first POST).
  const fresh = new LocalCampaignStore(data)
  const t = performance.now()
  const j = await fresh.open('big')
  await j.join({runnerId: 'bench', pid: process.pid, host: 'bench', startedAt: new Date().toISOString()})
  const r = await j.claimNext('bench', Date.now(), {maxLive: 100})
  const resumeMs = performance.now() - t
  await j.close()
  console.log(`  resume to the first claim:           ${(resumeMs / 1000).toFixed(2)} s (target < 5 s)  ${'claim' in r ? '' : 'NO CLAIM'}`)
}

async function paced(dir: string): Promise<void> {
  const {contacts, flow} = await pacedFiles(dir)
  // Each against a sandbox of its own, in a process of its own: the bare loop's sessions would still be simulated in the second run.
  let sb = await childSandbox(path.join(dir, 'bare'))
  const bare = await bareLoop(sb).finally(() => sb.close())
  sb = await childSandbox(path.join(dir, 'run'))
  try {
    const create = await runCli(['campaign', 'create', 'paced', '--contacts', contacts, '--callflow', flow, '--from', '+6531591234', '--rate', String(RATE), '--max-live', '100000', '--sandbox'], sb.env)
    if (create.code !== 0) throw new Error(`campaign create exited ${create.code}: ${create.stderr.slice(-500)}`)
    const run = await runCli(['campaign', 'run', 'paced', '--sandbox', '--json'], sb.env)
    const end = JSON.parse(run.stdout.trim().split('\n').filter((l) => l.includes('"type":"end"')).at(-1) ?? '{}') as {reason?: string; counts?: CampaignCounts}
    const c = end.counts
    if (!c) throw new Error(`campaign run exited ${run.code} with no end event: ${run.stderr.slice(-500)}`)
    const achieved = (c.attempts - 1) / (((c.lastCallAt ?? 0) - (c.firstCallAt ?? 0)) / 1000)
    printFigures(`  ${CONTACTS.toLocaleString('en-US')} contacts at ${RATE}/s, \`ivr campaign run --sandbox\` (local journal) against a sandbox in another process:`,
      {achieved, lateness: latenessOf(run.stdout), cpuPerCall: run.cpuMs / CONTACTS}, bare, 'the whole `campaign run` process: journal, receiver, NDJSON, its start-up')
    console.log(`    outcomes             ${JSON.stringify(c.byOutcome)} created ${c.created}, uncertain ${c.uncertain}, run ended: ${end.reason} (exit ${run.code})`)
  } finally {
    await sb.close()
  }
}

const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-bench-campaign-'))
try {
  if (BIG > 0) await big(dir)
  await paced(dir)
} finally {
  await fs.rm(dir, {recursive: true, force: true})
}
