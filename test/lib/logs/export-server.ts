import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** A scripted export job: the statuses its polls return in turn (the last one repeats) and its files. */
export interface ScriptedJob {
  statuses: string[]
  files?: Array<{name: string; body: string | Buffer}>
  expires?: string
  /** Serve the files from the second ("storage") origin, as signed links, without the API key. */
  foreignFiles?: boolean
  /** Stop every file response after this many bytes (connection destroyed), once. */
  cutAfterBytes?: number
  polls: number
  cancelled: boolean
}

export interface Seen {
  method: string
  path: string
  authorization?: string
  range?: string
  body?: unknown
  host: 'api' | 'storage'
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * The export part of the 8x8 API on loopback, for outcomes the sandbox cannot be told to produce on
 * demand: jobs follow a script, files honour Range requests (206) so resuming is observable, and a
 * second origin plays the storage host that signed links point at.
 */
export async function startExportServer(opts: {apiKey?: string; subAccountId?: string; ranges?: boolean} = {}) {
  const apiKey = opts.apiKey ?? 'export-test-key'
  const sub = opts.subAccountId ?? 'acme'
  const jobs = new Map<string, ScriptedJob>()
  const queue: Array<Partial<ScriptedJob> & {statuses: string[]}> = []
  const seen: Seen[] = []
  let nextId = 1
  let apiUrl = ''
  let storageUrl = ''

  const serveFile = (job: ScriptedJob, name: string, req: http.IncomingMessage, res: http.ServerResponse) => {
    const file = job.files?.find((f) => f.name === name)
    if (!file) {
      res.writeHead(404).end()
      return
    }
    const body = Buffer.from(file.body)
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''))
    let start = 0
    if (m && opts.ranges !== false) {
      start = Number(m[1])
      if (start >= body.length) {
        res.writeHead(416, {'content-range': `bytes */${body.length}`}).end()
        return
      }
      res.writeHead(206, {'content-type': 'text/csv', 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`})
    } else {
      res.writeHead(200, {'content-type': 'text/csv', 'content-length': body.length})
    }
    const rest = body.subarray(start)
    if (job.cutAfterBytes !== undefined && rest.length > job.cutAfterBytes) {
      const cut = job.cutAfterBytes
      job.cutAfterBytes = undefined
      res.write(rest.subarray(0, cut), () => setTimeout(() => res.destroy(), 20))
      return
    }
    res.end(rest)
  }

  const handler = (host: 'api' | 'storage') => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const path = (req.url ?? '').split('?')[0]
      seen.push({method: req.method ?? '', path, authorization: req.headers.authorization, range: req.headers.range as string | undefined, body: text ? JSON.parse(text) : undefined, host})
      const json = (status: number, body: unknown) => res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body))
      const fileMatch = /^\/files\/([^/]+)\/([^/]+)$/.exec(path)
      if (fileMatch) {
        const job = jobs.get(fileMatch[1])
        if (!job) return json(404, {statusMessage: 'no such file'})
        if ((host === 'api') !== !job.foreignFiles) return json(404, {})
        if (host === 'api' && req.headers.authorization !== `Bearer ${apiKey}`) return json(401, {})
        return serveFile(job, decodeURIComponent(fileMatch[2]), req, res)
      }
      if (host !== 'api') return json(404, {})
      if (req.headers.authorization !== `Bearer ${apiKey}`) return json(401, {statusCode: 401, statusMessage: 'Unauthorized'})
      const prefix = `/api/v1/subaccounts/${sub}/messages/exports`
      if (req.method === 'POST' && path === prefix) {
        const id = `job${String(nextId++).padStart(4, '0')}x${'abcdef'.repeat(4)}`
        const script = queue.shift() ?? {statuses: ['queued', 'running', 'succeeded'], files: [{name: 'part-1.csv', body: 'SessionId,TotalPriceOfCall\n'}]}
        jobs.set(id, {polls: 0, cancelled: false, ...script})
        return json(202, {jobId: id})
      }
      const m = new RegExp(`^${prefix}/([^/]+)$`).exec(path)
      const job = m ? jobs.get(decodeURIComponent(m[1])) : undefined
      if (!m || !job) return json(404, {statusCode: 404, statusMessage: 'Job not found'})
      if (req.method === 'DELETE') {
        job.cancelled = true
        return json(200, {status: 'cancelled'})
      }
      if (req.method === 'GET') {
        if (job.cancelled) return json(200, {status: 'cancelled'})
        const status = job.statuses[Math.min(job.polls, job.statuses.length - 1)]
        job.polls++
        if (status !== 'succeeded') return json(200, {status})
        const origin = job.foreignFiles ? storageUrl : apiUrl
        return json(200, {status, data: (job.files ?? []).map((f) => `${origin}/files/${m[1]}/${encodeURIComponent(f.name)}?sig=abc`), expires: job.expires ?? '2099-01-01T00:00:00Z'})
      }
      return json(405, {})
    })
  }

  const api = http.createServer(handler('api'))
  const storage = http.createServer(handler('storage'))
  apiUrl = await listen(api)
  storageUrl = await listen(storage)
  return {
    baseUrl: apiUrl,
    storageUrl,
    apiKey,
    subAccountId: sub,
    env: {IVR_ACCOUNT: sub, IVR_API_KEY: apiKey, IVR_BASE_URL: apiUrl},
    seen,
    jobs,
    /** The next job started gets this script. */
    nextJob(script: Partial<ScriptedJob> & {statuses: string[]}) {
      queue.push(script)
    },
    /** Adds a job directly (for `logs download/status/cancel ID`). */
    addJob(id: string, script: Partial<ScriptedJob> & {statuses: string[]}) {
      jobs.set(id, {polls: 0, cancelled: false, ...script})
    },
    close: async () => {
      api.closeAllConnections()
      storage.closeAllConnections()
      await Promise.all([new Promise<void>((r) => api.close(() => r())), new Promise<void>((r) => storage.close(() => r()))])
    },
  }
}

export type ExportServer = Awaited<ReturnType<typeof startExportServer>>
