/** Secrets are shown only as `****` plus their last 4 characters. */
export function maskSecret(value: string | undefined | null): string {
  if (!value) return ''
  const v = String(value)
  return v.length <= 4 ? '****' : `****${v.slice(-4)}`
}

const SECRET_KEYS = new Set(['httpauthheader', 'authorization', 'password', 'apikey', 'api_key', 'x-api-key', 'proxy-authorization'])

/** A deep copy of a JSON-ish value with every secret-looking field masked. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const key = k.toLowerCase()
      // A password gives nothing away, not even its end; keys and auth headers keep their last 4 to tell them apart.
      if (key === 'password' && typeof v === 'string') out[k] = '****'
      else out[k] = SECRET_KEYS.has(key) && typeof v === 'string' ? maskSecret(v.replace(/^Bearer\s+/i, '')) : redactSecrets(v)
    }
    return out as T
  }
  return value
}

/** Masks every occurrence of the given secrets inside a free text (a body we could not parse, a URL). */
export function scrubText(text: string, secrets: Array<string | undefined>): string {
  let out = text
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join(maskSecret(s))
  }
  return out
}
