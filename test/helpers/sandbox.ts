// Points a data folder at a sandbox this test runs, as \`ivr sandbox start\` does: --sandbox commands
// run with that folder then use it (or whatever listens at baseUrl: a proxy in front of it).
import http from 'node:http'

import {writeDiscovery} from '../../src/lib/sandbox/connect.js'

export async function announceSandbox(dataDir: string, sb: {baseUrl: string; apiKey: string; subAccountId: string}, baseUrl = sb.baseUrl): Promise<void> {
  await writeDiscovery(dataDir, {baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, pid: process.pid, startedAt: new Date().toISOString()})
}

/** A Send Callflow body as the campaign posts it: a makeCall first, so params has source and destination. */
export interface SentCallflow {
  validUntil?: string
  callflow: Array<{action: string; params: {source: string; destination: string}}>
}

/**
 * The "platform" a CLI under test reaches: a loopback proxy in front of the sandbox that keeps each
 * Send Callflow body as it arrives. It can `hold` one destination's request without answering (a
 * request under way when its runner dies), or lose the answer to one (`loseAnswerTo`: sent, but the
 * reply never comes back, a reset after sending).
 */
export async function sandboxProxy(target: string, opts: {hold?: string; loseAnswerTo?: string} = {}) {
  const sent: SentCallflow[] = []
  let held: http.ServerResponse | undefined
  let onHeld: (() => void) | undefined
  const heldArrived = new Promise<void>((resolve) => (onHeld = resolve))
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const callflow = req.method === 'POST' && /\/callflows\/?$/.test(req.url ?? '') ? JSON.parse(body.toString('utf8')) as SentCallflow : undefined
      if (callflow) sent.push(callflow)
      const destination = callflow?.callflow?.[0]?.params?.destination
      if (destination !== undefined && destination === opts.hold) {
        held = res
        onHeld?.()
        return
      }
      const forward = http.request(`${target}${req.url}`, {method: req.method, headers: req.headers}, (answer) => {
        if (destination !== undefined && destination === opts.loseAnswerTo) {
          answer.resume()
          return void res.destroy()
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      forward.on('error', () => res.destroy())
      forward.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    heldArrived,
    /** How many Send Callflow requests arrived per destination. */
    perDestination(): Map<string, number> {
      const counts = new Map<string, number>()
      for (const {callflow} of sent) {
        const destination = String(callflow?.[0]?.params?.destination)
        counts.set(destination, (counts.get(destination) ?? 0) + 1)
      }
      return counts
    },
    async close() {
      held?.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
