/** Durations and local times as every view prints them. */

export const pad2 = (n: number) => String(n).padStart(2, '0')

/** 4 → "4s"; 75 → "1m15s"; 3,700 → "1h01m". */
export function formatSeconds(sec: number): string {
  const s = Math.round(sec)
  if (s < 60) return `${s}s`
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}h${pad2(m)}m` : `${m}m${pad2(s % 60)}s`
}

/** Local wall-clock time, HH:MM:SS. */
export const clockTime = (d: Date) => `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`

/** Local calendar day, YYYY-MM-DD. */
export const localDay = (d: Date) => `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`

/**
 * A moment as every list prints it (sessions list, sandbox sessions, recordings status): local
 * `YYYY-MM-DD HH:MM:SS` by default, ISO 8601 in UTC with `utc` (--utc, and CSV). Text that is not a
 * time is returned as it is; none, as ''.
 */
export function listTime(iso: string | undefined, utc = false): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return utc ? d.toISOString() : `${localDay(d)} ${clockTime(d)}`
}
