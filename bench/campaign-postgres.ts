// Campaigns on PostgreSQL (npm run bench), the second half of the campaign figures: the paced
// campaign of bench/campaign.ts kept in the test PostgreSQL (embedded, started here) and dialed by
// three `ivr campaign run --db` processes at once, as on three machines (on this one they share the
// first runner's listener). Each figure beside a baseline from this same run: a bare loop of Send
// Callflow requests at the same rate.
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {CampaignCounts} from '../src/lib/campaign/journal.js'
import {PostgresCampaignStore} from '../src/lib/campaign/postgres/journal.js'
import {freshDatabase, stopTestPostgres} from '../test/helpers/postgres.js'
import {bareLoop, childSandbox, CONTACTS, latenessOf, pacedFiles, printFigures, RATE, runCli} from './lib/campaign-setup.js'

const RUNNERS = Number(process.env.BENCH_CAMPAIGN_RUNNERS || 3)

async function main(dir: string): Promise<void> {
  let t = performance.now()
  const db = await freshDatabase()
  console.log(`  test PostgreSQL (embedded) ready in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  const {contacts, flow} = await pacedFiles(dir)
  let sb = await childSandbox(path.join(dir, 'bare'))
  const bare = await bareLoop(sb).finally(() => sb.close())
  sb = await childSandbox(path.join(dir, 'run'))
  const env = {...sb.env, IVR_DATABASE_URL: db}
  try {
    t = performance.now()
    const create = await runCli(['campaign', 'create', 'paced', '--contacts', contacts, '--callflow', flow, '--from', '+6531591234', '--rate', String(RATE), '--max-live', '100000', '--sandbox'], env)
    if (create.code !== 0) throw new Error(`campaign create exited ${create.code}: ${create.stderr.slice(-500)}`)
    const createSeconds = (performance.now() - t) / 1000
    const runs = await Promise.all(Array.from({length: RUNNERS}, () => runCli(['campaign', 'run', 'paced', '--sandbox', '--json'], env)))
    const store = await PostgresCampaignStore.open(db)
    let c: CampaignCounts
    try {
      c = await (await store.open('paced')).counts()
    } finally {
      await store.close()
    }
    const achieved = (c.attempts - 1) / (((c.lastCallAt ?? 0) - (c.firstCallAt ?? 0)) / 1000)
    printFigures(`  ${CONTACTS.toLocaleString('en-US')} contacts at ${RATE}/s, ${RUNNERS} \`ivr campaign run --db\` processes (PostgreSQL journal) against a sandbox in another process:`,
      {achieved, lateness: runs.flatMap((r) => latenessOf(r.stdout)), cpuPerCall: runs.reduce((s, r) => s + r.cpuMs, 0) / CONTACTS}, bare,
      `the ${RUNNERS} \`campaign run\` processes together, start-ups included; the PostgreSQL server's own CPU not counted`)
    console.log(`    create (contacts into PostgreSQL) ${createSeconds.toFixed(1)} s`)
    console.log(`    calls per runner     ${runs.map((r) => latenessOf(r.stdout).length).join(' / ')}; exits ${runs.map((r) => r.code).join(', ')}`)
    console.log(`    outcomes             ${JSON.stringify(c.byOutcome)} created ${c.created}, uncertain ${c.uncertain}, attempts ${c.attempts}`)
    for (const r of runs.filter((x) => x.code !== 0)) console.log(`    a runner failed: ${r.stderr.split('\n').filter((l) => l && !/^\s/.test(l) && !/^Command exited/.test(l)).slice(-4).join(' | ')}`)
  } finally {
    await sb.close()
  }
}

const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-bench-campaign-pg-'))
try {
  await main(dir)
} finally {
  await stopTestPostgres()
  await fs.rm(dir, {recursive: true, force: true})
}
