// Campaigns (npm run bench): the pacer's rate and lateness, the journal's cost per call against a bare
// loop of Send Callflow requests at the same rate, and a million contacts (create's memory, resume's
// time to the first dial). Each figure beside its baseline from the same run.
import {promises as fs, createWriteStream} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../src/lib/api/client.js'
import type {CallflowRequest} from '../src/lib/callflow/types.js'
import {createCampaign} from '../src/lib/campaign/create.js'
import {readSettings} from '../src/lib/campaign/definition.js'
import {LocalCampaignStore} from '../src/lib/campaign/local-journal.js'
import {runCampaign} from '../src/lib/campaign/run.js'
import {startSandbox} from '../src/lib/sandbox/server.js'
import {storeFileFor} from '../src/lib/sessions/store.js'

const CONTACTS = Number(process.env.BENCH_CAMPAIGN_CONTACTS || 10_000)
const RATE = Number(process.env.BENCH_CAMPAIGN_RATE || 200)
const BIG = Number(process.env.BENCH_CAMPAIGN_BIG || 1_000_000)

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

async function big(dir: string): Promise<void> {
  const file = path.join(dir, 'big.csv')
  await writeContacts(file, BIG)
  const flow = path.join(dir, 'flow.json')
  await fs.writeFile(flow, JSON.stringify(FLOW))
  const store = new LocalCampaignStore(path.join(dir, 'data'))
  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  let t = performance.now()
  const report = await createCampaign(readSettings({name: 'big', contacts: file, callflow: flow, from: '+6531591234', rate: 100, maxLive: 100}), {store})
  const createMs = performance.now() - t
  clearInterval(sampler)
  console.log(`  create, ${BIG.toLocaleString('en-US')} contacts:        ${(createMs / 1000).toFixed(1)} s, peak RSS ${(peak / 1048576).toFixed(0)} MB (target < 300 MB; ${(rssBefore / 1048576).toFixed(0)} MB before)  ${report.created ? '' : 'NOT CREATED'}`)
  // Resume: open the journal, join as a runner, claim the first contact (what precedes the first POST).
  const fresh = new LocalCampaignStore(path.join(dir, 'data'))
  t = performance.now()
  const j = await fresh.open('big')
  await j.join({runnerId: 'bench', pid: process.pid, host: 'bench', startedAt: new Date().toISOString()})
  const r = await j.claimNext('bench', Date.now(), {maxLive: 100})
  const resumeMs = performance.now() - t
  await j.close()
  console.log(`  resume to the first claim:           ${(resumeMs / 1000).toFixed(2)} s (target < 5 s)  ${'claim' in r ? '' : 'NO CLAIM'}`)
}

async function paced(dir: string): Promise<void> {
  let sb = await startSandbox({host: '127.0.0.1', port: 0})
  let api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'bench', retries: 0})
  try {
    // Baseline: a bare loop of Send Callflow requests on the same grid, no journal.
    const interval = 1000 / RATE
    const lateBare: number[] = []
    let cpu = cpuMs()
    let start = performance.now()
    const inflight: Promise<unknown>[] = []
    let bareFailed = 0
    for (let i = 0; i < CONTACTS; i++) {
      const due = start + i * interval
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      lateBare.push(Math.max(0, performance.now() - due))
      const request = {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: `+6582${String(i).padStart(6, '0')}`}}, FLOW.callflow[1], FLOW.callflow[2]]} as CallflowRequest
      inflight.push(api.sendCallflow(request).catch(() => bareFailed++))
    }
    await Promise.all(inflight)
    const bareSeconds = (performance.now() - start) / 1000
    const bareCpu = (cpuMs() - cpu) / CONTACTS

    const file = path.join(dir, 'paced.csv')
    await writeContacts(file, CONTACTS)
    const flow = path.join(dir, 'flow.json')
    await fs.writeFile(flow, JSON.stringify(FLOW))
    const data = path.join(dir, 'paced-data')
    const store = new LocalCampaignStore(data)
    await createCampaign(readSettings({name: 'paced', contacts: file, callflow: flow, from: '+6531591234', rate: RATE, maxLive: 100_000}), {store})
    const journal = await store.open('paced')
    // A sandbox of its own: the bare loop's sessions are still being simulated in the first one.
    await sb.close()
    sb = await startSandbox({host: '127.0.0.1', port: 0})
    api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'bench', retries: 0})
    cpu = cpuMs()
    start = performance.now()
    const result = await runCampaign({
      journal, api, configDir: path.join(dir, 'config'), account: sb.subAccountId, baseUrl: sb.baseUrl, storeFile: storeFileFor(data, sb.subAccountId),
      sandbox: true, host: '127.0.0.1', port: 0, pid: process.pid, onEvent: () => {}, warn: () => {}, drainMs: 10_000,
    })
    const runCpu = (cpuMs() - cpu) / CONTACTS
    await journal.close()
    const c = result.counts
    const achieved = (c.attempts - 1) / (((c.lastCallAt ?? 0) - (c.firstCallAt ?? 0)) / 1000)
    const bareRate = (CONTACTS - 1) / (bareSeconds - 0)
    console.log(`  ${CONTACTS.toLocaleString('en-US')} contacts at ${RATE}/s on the sandbox (in-process), local journal:`)
    console.log(`    achieved rate        ${achieved.toFixed(1).padStart(7)} /s  ${(achieved / RATE).toFixed(3)}x target (within 2 %: 0.980-1.020); bare loop ${(bareRate / RATE).toFixed(3)}x (${bareFailed} of its requests failed)`)
    console.log(`    p99 start lateness   ${p99(result.lateness).toFixed(1).padStart(7)} ms (target < 50 ms); bare loop ${p99(lateBare).toFixed(1)} ms`)
    console.log(`    CPU per call         ${runCpu.toFixed(2).padStart(7)} ms  ${(runCpu / bareCpu).toFixed(2)}x the bare loop's ${bareCpu.toFixed(2)} ms (journal, receiver, sandbox's summaries)`)
    console.log(`    outcomes             ${JSON.stringify(c.byOutcome)} created ${c.created}, uncertain ${c.uncertain}, run ended: ${result.reason}${result.error ? ` (${result.error.message})` : ''}`)
  } finally {
    await sb.close()
  }
}

const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-bench-campaign-'))
try {
  await big(dir)
  await paced(dir)
} finally {
  await fs.rm(dir, {recursive: true, force: true})
}
