/** How the sandbox delivers webhooks by default: a real HTTP POST, with keep-alive agents. */
import http from 'node:http'
import https from 'node:https'

import type {Deliver} from './types.js'

const agents = {http: new http.Agent({keepAlive: true, maxSockets: 64}), https: new https.Agent({keepAlive: true, maxSockets: 64})}

/** POSTs JSON to url; resolves with the status and the parsed body (or the raw text when it is not JSON). */
export function httpDeliver(timeoutMs: number): Deliver {
  return (req) => new Promise((resolve, reject) => {
    let url: URL
    try {
      url = new URL(req.url)
    } catch {
      reject(new Error(`invalid URL ${req.url}`))
      return
    }
    const lib = url.protocol === 'https:' ? https : http
    const data = JSON.stringify(req.body)
    const headers: Record<string, string | number> = {'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'user-agent': '8x8-voice-sandbox'}
    if (req.authHeader) headers.authorization = req.authHeader
    const r = lib.request(url, {method: 'POST', headers, agent: url.protocol === 'https:' ? agents.https : agents.http, timeout: timeoutMs}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        clearTimeout(timer)
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown = text
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text)
          } catch {
            body = text
          }
        }
        resolve({status: res.statusCode ?? 0, body})
      })
      res.on('error', (e) => { clearTimeout(timer); reject(e) })
    })
    // An overall deadline: `timeout` alone only covers idle sockets.
    const timer = setTimeout(() => r.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    r.on('timeout', () => r.destroy(new Error(`timed out after ${timeoutMs} ms`)))
    r.on('error', (e) => { clearTimeout(timer); reject(e) })
    r.end(data)
  })
}
