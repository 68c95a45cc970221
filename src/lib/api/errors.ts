import {lookupCode} from '../codes.js'
import {ExitCode, IvrError} from '../errors.js'

/** An HTTP or transport failure from the 8x8 API, carrying what the platform said. */
export class ApiError extends IvrError {
  readonly httpStatus?: number
  readonly statusCode?: number
  readonly statusMessage?: string
  readonly requestId?: string
  readonly body?: unknown
  /** From a Retry-After header (429, 503), in ms. */
  readonly retryAfterMs?: number
  /** A transport failure after which the request may have reached the server (a POST was sent). */
  readonly mayHaveReachedServer?: boolean

  constructor(
    message: string,
    opts: {
      code: string; exitCode: number; suggestions?: string[]; httpStatus?: number; statusCode?: number; statusMessage?: string; requestId?: string; body?: unknown; cause?: unknown
      retryAfterMs?: number; mayHaveReachedServer?: boolean
    },
  ) {
    super(message, opts)
    this.name = 'ApiError'
    this.httpStatus = opts.httpStatus
    this.statusCode = opts.statusCode
    this.statusMessage = opts.statusMessage
    this.requestId = opts.requestId
    this.body = opts.body
    this.retryAfterMs = opts.retryAfterMs
    this.mayHaveReachedServer = opts.mayHaveReachedServer
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_GOT_REQUEST_ERROR'])

function platformStatus(body: unknown): {statusCode?: number; statusMessage?: string} {
  if (!body || typeof body !== 'object') return {}
  const b = body as Record<string, unknown>
  const code = b.statusCode ?? b.code
  const msg = b.statusMessage ?? b.message ?? b.error
  return {
    statusCode: typeof code === 'number' ? code : typeof code === 'string' && /^-?\d+$/.test(code) ? Number(code) : undefined,
    statusMessage: typeof msg === 'string' ? msg : undefined,
  }
}

/** Maps an HTTP answer that is not 2xx onto an ApiError with the documented exit code. */
export function apiErrorFromResponse(args: {httpStatus: number; body: unknown; requestId?: string; method: string; url: string; baseUrl: string; retryAfter?: string; retried?: boolean}): ApiError {
  const {httpStatus, body, requestId, method} = args
  const {statusCode, statusMessage} = platformStatus(body)
  const platformSays = [statusCode !== undefined ? String(statusCode) : undefined, statusMessage].filter(Boolean).join(' ')
  const said = platformSays ? ` The platform said: ${platformSays}.` : ''
  const common = {httpStatus, statusCode, statusMessage, requestId, body, retryAfterMs: retryAfterMs(args.retryAfter)}
  if (httpStatus === 401) {
    return new ApiError(`The API key was refused (401).${said}`, {
      ...common, code: 'AUTH_REFUSED', exitCode: ExitCode.CREDENTIALS,
      suggestions: ['Check the key with `ivr accounts show`, or log in again with `ivr login`.', 'Keys are made in the 8x8 customer portal for each sub-account.'],
    })
  }
  if (httpStatus === 403) {
    return new ApiError(`This key may not use that sub-account or operation (403).${said}`, {
      ...common, code: 'FORBIDDEN', exitCode: ExitCode.CREDENTIALS,
      suggestions: ['Check the sub-account id (`--account`) matches the key.'],
    })
  }
  if (httpStatus === 404) {
    return new ApiError(`Not found (404): ${method} ${new URL(args.url).pathname}.${said}`, {
      ...common, code: 'NOT_FOUND', exitCode: ExitCode.NOT_FOUND,
      suggestions: ['Check the sub-account id and the id or number you asked for.'],
    })
  }
  if (httpStatus === 400 || httpStatus === 422) {
    const info = lookupCode(statusCode)
    return new ApiError(`The request was rejected (${httpStatus}).${said}${info ? ` ${info.explanation}` : ''}`, {
      ...common, code: 'REJECTED', exitCode: ExitCode.INVALID_INPUT,
    })
  }
  if (httpStatus === 429) {
    const seconds = args.retryAfter && /^\d+$/.test(args.retryAfter.trim()) ? `${args.retryAfter.trim()} s` : undefined
    const wait = seconds ? ` after ${seconds}` : ''
    if (method === 'POST') {
      // A POST is never resent (it could ring someone twice); a 429 means the platform refused it, so sending again is safe.
      const sendCallflow = /\/callflows\/?$/.test(new URL(args.url).pathname)
      return new ApiError(`Too many requests (429): the platform refused this ${sendCallflow ? 'Send Callflow' : 'request'} without acting on it${sendCallflow ? ' (no call was created)' : ''}. It was not resent.${said}`, {
        ...common, code: 'RATE_LIMITED', exitCode: ExitCode.NETWORK,
        suggestions: [`It is safe to send it again${wait || ' in a moment'}${sendCallflow ? ', at a slower pace' : ''}.`],
      })
    }
    // Not retried when the server asked for a longer wait than a command should sit through (maxRetryAfter).
    return new ApiError(`Too many requests (429)${args.retried ? ', still after retrying' : ''}.${said}`, {
      ...common, code: 'RATE_LIMITED', exitCode: ExitCode.NETWORK, suggestions: [`Wait ${seconds ?? 'a little'} and try again.`],
    })
  }
  return new ApiError(`The server failed (${httpStatus}).${said}`, {
    ...common, code: 'SERVER_ERROR', exitCode: ExitCode.NETWORK,
    suggestions: ['Try again later. If it persists, give 8x8 support the request id.'],
  })
}

/** Maps a transport failure (no HTTP answer) onto an ApiError, exit 6. */
export function apiErrorFromTransport(err: {code?: string; name?: string; message?: string}, baseUrl: string, mayHaveReachedServer: boolean): ApiError {
  const isTimeout = err.name === 'TimeoutError' || err.code === 'ETIMEDOUT'
  const what = isTimeout ? 'timed out' : err.code && NETWORK_CODES.has(err.code) ? `failed (${err.code})` : `failed (${err.message ?? err.code ?? 'unknown error'})`
  const suggestions = [`Check the network and the base URL (${baseUrl}).`]
  if (mayHaveReachedServer) suggestions.push('The request may have reached the server; it was not repeated. Check `ivr sessions list` or your VSS webhook before sending again.')
  return new ApiError(`The request to ${baseUrl} ${what}.`, {code: isTimeout ? 'TIMEOUT' : 'NETWORK', exitCode: ExitCode.NETWORK, suggestions, cause: err, mayHaveReachedServer})
}

/** Retry-After as ms: seconds, or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value
  if (!v) return undefined
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000)
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : Math.max(0, t - now)
}
