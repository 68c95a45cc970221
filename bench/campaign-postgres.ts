// Campaigns on PostgreSQL (npm run bench), the second half of the campaign figures: the same paced
// campaign as bench/campaign.ts, kept in the test PostgreSQL (embedded, started here) and dialed by
// three runners at once, each with its own connections as on three machines. Each figure beside a
// baseline from this same run: a bare loop of Send Callflow requests at the same rate.
import {promises as fs, createWriteStream} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../src/lib/api/client.js'
import type {CallflowRequest} from '../src/lib/callflow/types.js'
import {loadContent} from '../src/lib/campaign/content.js'
import {createCampaign} from '../src/lib/campaign/create.js'
import {readSettings} from '../src/lib/campaign/definition.js'
import {PostgresCampaignStore} from '../src/lib/campaign/postgres/journal.js'
import {runCampaign} from '../src/lib/campaign/run.js'
import {CampaignRunner, type RunResult} from '../src/lib/campaign/runner.js'
import {startSandbox} from '../src/lib/sandbox/server.js'
import {storeFileFor} from '../src/lib/sessions/store.js'
import {freshDatabase, stopTestPostgres} from '../test/helpers/postgres.js'

const CONTACTS = Number(process.env.BENCH_CAMPAIGN_CONTACTS || 10_000)
const RATE = Number(process.env.BENCH_CAMPAIGN_RATE || 200)
const RUNNERS = 3

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
const FLOW = {callflow: [{action: 'makeCall', params: {source: '{{from}}', destination: '{{to}}'}}, {action: 'say', params: {text: 'Your appointment is tomorrow at ten.', voiceProfile: 'en-US-Neural2-C'}}, {action: 'hangup'}]}

async function writeContacts(file: string, n: number): Promise<void> {
  const out = createWriteStream(file)
  out.write('phone,name\n')
  for (let i = 0; i < n; i++) {
    if (!out.write(`+6581${String(i).padStart(6, '0')},Person ${i}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve) => out.end(resolve))
}

async function main(dir: string): Promise<void> {
  let t = performance.now()
  const db = await freshDatabase()
  console.log(`  test PostgreSQL (embedded) ready in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  const sb = await startSandbox({host: '127.0.0.1', port: 0})
  const api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'bench', retries: 0})
  const stores: PostgresCampaignStore[] = []
  try {
    // Baseline: a bare loop of Send Callflow requests on the same grid, no journal, one process.
    const interval = 1000 / RATE
    const lateBare: number[] = []
    let cpu = cpuMs()
    let start = performance.now()
    const inflight: Promise<unknown>[] = []
    for (let i = 0; i < CONTACTS; i++) {
      const due = start + i * interval
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      lateBare.push(Math.max(0, performance.now() - due))
      const request = {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: `+6582${String(i).padStart(6, '0')}`}}, FLOW.callflow[1], FLOW.callflow[2]]} as CallflowRequest
      inflight.push(api.sendCallflow(request))
    }
    await Promise.all(inflight)
    const bareSeconds = (performance.now() - start) / 1000
    const bareCpu = (cpuMs() - cpu) / CONTACTS

    const file = path.join(dir, 'paced.csv')
    await writeContacts(file, CONTACTS)
    const flow = path.join(dir, 'flow.json')
    await fs.writeFile(flow, JSON.stringify(FLOW))
    const open = async () => {
      const s = await PostgresCampaignStore.open(db)
      stores.push(s)
      return s
    }
    t = performance.now()
    await createCampaign(readSettings({name: 'paced', contacts: file, callflow: flow, from: '+6531591234', rate: RATE, maxLive: 100_000}), {store: await open()})
    const createSeconds = (performance.now() - t) / 1000
    const journals = await Promise.all(Array.from({length: RUNNERS}, async () => (await open()).open('paced')))
    const data = path.join(dir, 'data')
    cpu = cpuMs()
    start = performance.now()
    // The first runner receives the summaries (and records them for every runner's calls: the journal
    // is shared); the other two only dial, as `campaign run --no-receive` on other machines would.
    const results: RunResult[] = await Promise.all([
      runCampaign({
        journal: journals[0], api, configDir: path.join(dir, 'config'), account: sb.subAccountId, baseUrl: sb.baseUrl, storeFile: storeFileFor(data, sb.subAccountId),
        sandbox: true, host: '127.0.0.1', port: 0, pid: process.pid, onEvent: () => {}, warn: () => {}, drainMs: 10_000,
      }),
      ...journals.slice(1).map((journal) => new CampaignRunner({
        journal, content: loadContent(journal.definition.content), send: (r) => api.sendCallflow(r), onEvent: () => {}, drainMs: 10_000,
      }).run()),
    ])
    const runCpu = (cpuMs() - cpu) / CONTACTS
    const c = await journals[0].counts()
    const achieved = (c.attempts - 1) / (((c.lastCallAt ?? 0) - (c.firstCallAt ?? 0)) / 1000)
    const bareRate = (CONTACTS - 1) / bareSeconds
    const lateness = results.flatMap((r) => r.lateness)
    const perRunner = results.map((r) => r.lateness.length)
    console.log(`  ${CONTACTS.toLocaleString('en-US')} contacts at ${RATE}/s on the sandbox (in-process), PostgreSQL journal, ${RUNNERS} runners:`)
    console.log(`    create (contacts into PostgreSQL) ${createSeconds.toFixed(1)} s`)
    console.log(`    achieved rate        ${achieved.toFixed(1).padStart(7)} /s  ${(achieved / RATE).toFixed(3)}x target, all runners together (within 2 %: 0.980-1.020); bare loop ${(bareRate / RATE).toFixed(3)}x`)
    console.log(`    p99 start lateness   ${p99(lateness).toFixed(1).padStart(7)} ms (target < 50 ms); bare loop ${p99(lateBare).toFixed(1)} ms`)
    console.log(`    CPU per call         ${runCpu.toFixed(2).padStart(7)} ms  ${(runCpu / bareCpu).toFixed(2)}x the bare loop's ${bareCpu.toFixed(2)} ms (3 runners' journal clients, receiver, sandbox; the PostgreSQL server's own CPU not counted)`)
    console.log(`    calls per runner     ${perRunner.join(' / ')}; ends ${results.map((r) => r.reason).join(', ')}`)
    console.log(`    outcomes             ${JSON.stringify(c.byOutcome)} created ${c.created}, uncertain ${c.uncertain}, attempts ${c.attempts}`)
  } finally {
    for (const s of stores) await s.close()
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
