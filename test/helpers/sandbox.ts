// Points a data folder at a sandbox this test runs, as \`ivr sandbox start\` does: --sandbox commands
// run with that folder then use it (or whatever listens at baseUrl: a proxy in front of it).
import {writeDiscovery} from '../../src/lib/sandbox/connect.js'

export async function announceSandbox(dataDir: string, sb: {baseUrl: string; apiKey: string; subAccountId: string}, baseUrl = sb.baseUrl): Promise<void> {
  await writeDiscovery(dataDir, {baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, pid: process.pid, startedAt: new Date().toISOString()})
}
