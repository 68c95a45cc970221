import http from 'node:http'
import type {AddressInfo} from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  json?: unknown
}

export type Handler = (req: RecordedRequest) => {status: number; body?: unknown; headers?: Record<string, string>} | undefined

/**
 * A real HTTP server on 127.0.0.1 that answers like the 8x8 API for the routes a test gives it,
 * checks the Bearer key, and records every request (method, path, headers, body).
 */
export async function startFakeApi(opts: {apiKey?: string; routes?: Record<string, Handler>} = {}) {
  const apiKey = opts.apiKey ?? 'test-key-1234'
  const requests: RecordedRequest[] = []
  const routes: Record<string, Handler> = {...opts.routes}
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const rec: RecordedRequest = {method: req.method ?? '', path: req.url ?? '', headers: req.headers, body}
      try {
        rec.json = body ? JSON.parse(body) : undefined
      } catch {
        rec.json = undefined
      }
      requests.push(rec)
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {'content-type': 'application/json', ...headers})
        res.end(payload === undefined ? '' : JSON.stringify(payload))
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) return send(401, {statusCode: 401, statusMessage: 'Unauthorized'})
      const route = routes[`${rec.method} ${rec.path.replace(/^\/api\/v1\/subaccounts\/[^/]+/, '').split('?')[0]}`]
      const answer = route?.(rec)
      if (!answer) return send(404, {statusCode: 404, statusMessage: 'Not Found'})
      send(answer.status, answer.body, answer.headers)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    routes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export const sampleProfiles = [
  {speechProfileCode: 'en-US-BenjaminRUS', localeCode: 'en-US', localeDescription: 'English (United States)', gender: 'Male'},
  {speechProfileCode: 'en-US-ZiraRUS', localeCode: 'en-US', localeDescription: 'English (United States)', gender: 'Female'},
  {speechProfileCode: 'en-GB-Emma', localeCode: 'en-GB', localeDescription: 'English (United Kingdom)', gender: 'Female'},
  {speechProfileCode: 'da-DK-Naja', localeCode: 'da-DK', localeDescription: 'Danish (Denmark)', gender: 'Female'},
]
