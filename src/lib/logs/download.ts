import {createWriteStream, promises as fs, type WriteStream} from 'node:fs'
import type {IncomingMessage} from 'node:http'
import path from 'node:path'
import type {Readable} from 'node:stream'

import type {VoiceApi} from '../api/client.js'
import {ExitCode, IvrError, usageError} from '../errors.js'
import {guardExportFile} from './guard.js'

/** One file of an export job and where it goes on disk. */
export interface PlannedFile {
  url: string
  path: string
  /** Named by the user (--out FILE): replaced if present. Otherwise a file already there is kept. */
  explicit: boolean
}

export interface DownloadedFile {
  path: string
  bytes: number
  /** downloaded: fetched whole; resumed: a partial download was completed; kept: already on disk. */
  outcome: 'downloaded' | 'resumed' | 'kept'
  /** Cells a spreadsheet would run as a formula, defused with a leading apostrophe (guard.ts). */
  guarded?: number
  /** A zip archive is saved as it came: its cells are not guarded. */
  unguarded?: true
}

export interface DownloadProgress {
  index: number
  count: number
  path: string
  bytes: number
  totalBytes?: number
}

/** The part of a job id that goes into file names: safe characters only, short. */
export function jobTag(jobId: string): string {
  return jobId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 12) || 'job'
}

/** `.csv`, or what the link says when it is compressed (`.csv.gz`, `.zip`). */
function extensionOf(url: string): string {
  let p = ''
  try {
    p = new URL(url).pathname.toLowerCase()
  } catch {
    return '.csv'
  }
  if (p.endsWith('.csv.gz') || p.endsWith('.gz')) return '.csv.gz'
  if (p.endsWith('.zip')) return '.zip'
  return '.csv'
}

const looksLikeFileName = (p: string) => /\.(csv|csv\.gz|gz|zip)$/i.test(p)

/**
 * Where each file goes. `out` a directory (existing, ending in a slash, or without a .csv/.gz/.zip
 * extension; default the current one): `ivr-logs-<job>-<n>.csv` inside it, the same names on every run
 * so a later run finds what an earlier one fetched. `out` a file name: that name for a single file,
 * `name-1.csv`, `name-2.csv` … for several.
 */
export async function planDownload(urls: string[], opts: {jobId: string; out?: string; cwd: string}): Promise<PlannedFile[]> {
  const out = opts.out ? path.resolve(opts.cwd, opts.out) : opts.cwd
  let isDir = !opts.out || /[/\\]$/.test(opts.out) || !looksLikeFileName(opts.out)
  const stat = await fs.stat(out).catch(() => undefined)
  if (stat?.isDirectory()) isDir = true
  else if (stat && isDir) throw usageError(`--out ${opts.out} is a file, and a folder was expected.`, ['Give a folder, or a file name ending in .csv.'])
  const width = String(urls.length).length
  const num = (i: number) => String(i + 1).padStart(width, '0')
  if (isDir) {
    const tag = jobTag(opts.jobId)
    return urls.map((url, i) => ({url, explicit: false, path: path.join(out, `ivr-logs-${tag}${urls.length > 1 ? `-${num(i)}` : ''}${extensionOf(url)}`)}))
  }
  if (urls.length === 1) return [{url: urls[0], path: out, explicit: true}]
  const m = /^(.*?)(\.csv\.gz|\.[^./\\]+)?$/i.exec(out)!
  return urls.map((url, i) => ({url, explicit: true, path: `${m[1]}-${num(i)}${m[2] ?? ''}`}))
}

/** Thrown when the signal aborts a download; what was complete is listed, partial files stay for resuming. */
export class DownloadAborted extends Error {
  constructor(readonly done: DownloadedFile[]) {
    super('aborted')
    this.name = 'DownloadAborted'
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  const st = await fs.stat(file).catch(() => undefined)
  return st?.isFile() ? st.size : undefined
}

function totalFromHeaders(res: IncomingMessage, offset: number): number | undefined {
  const range = /\/(\d+)\s*$/.exec(String(res.headers['content-range'] ?? ''))
  if (range) return Number(range[1])
  const len = Number(res.headers['content-length'])
  return Number.isFinite(len) && res.headers['content-length'] !== undefined ? len + offset : undefined
}

function downloadError(error: unknown, file: PlannedFile, jobId: string, outHint: string): IvrError {
  const e = error as {response?: {statusCode?: number}; code?: string; message?: string} | undefined
  const status: number | undefined = e?.response?.statusCode
  const where = path.basename(file.path)
  if (status === 403 || status === 404 || status === 410) {
    return new IvrError(`The link for ${where} is no longer valid (HTTP ${status}); export links expire.`, {
      code: 'EXPORT_LINK_GONE', exitCode: ExitCode.NOT_FOUND,
      suggestions: [`See the job's expiry: ivr logs status ${jobId}`, 'Start a new export for the same range: ivr logs export --from … --to …'],
    })
  }
  if (status === 401) {
    return new IvrError(`The download of ${where} was refused (401).`, {code: 'AUTH_REFUSED', exitCode: ExitCode.CREDENTIALS, suggestions: ['Check the key with `ivr accounts show`.']})
  }
  const what = status ? `the server answered ${status}` : `the transfer failed (${e?.code ?? e?.message ?? 'unknown error'})`
  return new IvrError(`Downloading ${where}: ${what}. What arrived is kept and the next try resumes from there.`, {
    code: 'DOWNLOAD_FAILED', exitCode: ExitCode.NETWORK, suggestions: [`Resume: ivr logs download ${jobId} --out ${outHint}`],
  })
}

/**
 * Copies the transfer to the file. When the transfer fails, every byte already received is still
 * written before the error is passed on (pipeline would drop what the file stream had buffered),
 * so the `.part` file holds all that arrived and the next try resumes exactly there.
 */
async function keepWhatArrived(source: Readable, file: WriteStream): Promise<void> {
  let failure: unknown
  source.once('error', (error) => {
    failure = error
    file.end()
  })
  source.pipe(file)
  await new Promise<void>((resolve, reject) => {
    file.once('finish', resolve)
    file.once('error', reject)
  })
  if (failure !== undefined) throw failure
}

/**
 * A whole download (`.part`, the platform's bytes) becomes the file: written through the formula
 * guard beside it, then renamed into place, and only then is the part removed. Stopped midway,
 * the part is still whole and the next run finishes from it (the server answers 416).
 */
async function finish(part: string, to: string): Promise<Omit<DownloadedFile, 'outcome'>> {
  const guarding = `${to}.guarding`
  const {format, guarded} = await guardExportFile(part, guarding)
  await fs.rename(guarding, to)
  await fs.rm(part, {force: true})
  return {path: to, bytes: (await sizeOf(to)) ?? 0, ...(guarded > 0 ? {guarded} : {}), ...(format === 'zip' ? {unguarded: true as const} : {})}
}

/**
 * Fetches one file to `<path>.part`, streamed straight to disk, then renames it into place. A `.part`
 * left by an earlier run is continued with an HTTP Range request when the server allows it (206), or
 * fetched again from the start when it does not (200).
 */
async function downloadOne(api: Pick<VoiceApi, 'stream'>, file: PlannedFile, opts: {signal?: AbortSignal; onBytes?: (bytes: number, total?: number) => void}): Promise<DownloadedFile> {
  const part = `${file.path}.part`
  await fs.mkdir(path.dirname(file.path), {recursive: true})
  const have = (await sizeOf(part)) ?? 0
  // Compressed transfer encodings would make byte ranges meaningless: ask for the bytes as stored.
  const headers: Record<string, string> = {'accept-encoding': 'identity'}
  if (have > 0) headers.range = `bytes=${have}-`
  const stream = api.stream(file.url, headers)
  const abort = () => stream.destroy(new Error('aborted'))
  opts.signal?.addEventListener('abort', abort, {once: true})
  try {
    let res: IncomingMessage
    try {
      res = await new Promise<IncomingMessage>((resolve, reject) => {
        stream.once('response', resolve)
        stream.once('error', reject)
      })
    } catch (error) {
      // 416: the partial file already holds every byte.
      if (have > 0 && (error as {response?: {statusCode?: number}})?.response?.statusCode === 416) return {...(await finish(part, file.path)), outcome: 'resumed'}
      throw error
    }
    const append = have > 0 && res.statusCode === 206
    const offset = append ? have : 0
    const total = totalFromHeaders(res, offset)
    let bytes = offset
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      opts.onBytes?.(bytes, total)
    })
    await keepWhatArrived(stream, createWriteStream(part, {flags: append ? 'a' : 'w', mode: 0o600}))
    return {...(await finish(part, file.path)), outcome: append ? 'resumed' : 'downloaded'}
  } finally {
    opts.signal?.removeEventListener('abort', abort)
  }
}

/**
 * Downloads every file of a job, one after the other. A file already in place (from an earlier run)
 * is kept unless `force`; a file the user named is always replaced. Failures keep the partial file
 * and say how to resume; an abort (Ctrl-C) throws DownloadAborted.
 */
export async function downloadFiles(
  api: Pick<VoiceApi, 'stream'>,
  files: PlannedFile[],
  opts: {jobId: string; force?: boolean; signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void; onFile?: (f: DownloadedFile) => void; outHint?: string},
): Promise<DownloadedFile[]> {
  const done: DownloadedFile[] = []
  for (const [index, file] of files.entries()) {
    if (opts.signal?.aborted) throw new DownloadAborted(done)
    let result: DownloadedFile
    const existing = await sizeOf(file.path)
    if (existing !== undefined && !file.explicit && !opts.force) {
      result = {path: file.path, bytes: existing, outcome: 'kept'}
    } else {
      if (opts.force) await fs.rm(`${file.path}.part`, {force: true})
      try {
        result = await downloadOne(api, file, {
          signal: opts.signal,
          onBytes: (bytes, totalBytes) => opts.onProgress?.({index, count: files.length, path: file.path, bytes, totalBytes}),
        })
      } catch (error) {
        if (opts.signal?.aborted) throw new DownloadAborted(done)
        throw downloadError(error, file, opts.jobId, opts.outHint ?? (file.explicit ? file.path : path.dirname(file.path)))
      }
    }
    done.push(result)
    opts.onFile?.(result)
  }
  return done
}

