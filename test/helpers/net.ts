// Loopback helpers for tests that run a server in-process.
import http from 'node:http'
import net from 'node:net'

/** A port free right now on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

/** Resolves once something accepts connections on the port. */
export async function untilListening(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end()
        resolve(true)
      })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`nothing listens on ${port}`)
}

/** POSTs (or sends with `method`) JSON text; the answer parsed when it is JSON. `B` is what the body is read as. */
export function postJson<B = unknown>(url: string, body: string, headers: Record<string, string> = {}, method = 'POST'): Promise<{status: number; body: B}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method, headers: {'content-type': 'application/json', ...headers}}, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => {
        let parsed: unknown = text
        try {
          parsed = JSON.parse(text)
        } catch {
          // not JSON: keep the text
        }
        resolve({status: res.statusCode ?? 0, body: parsed as B})
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}
