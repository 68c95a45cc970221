/**
 * Charts as inline SVG for the HTML report: no script, no fonts, no network. Each chart scales
 * with its container (viewBox, width 100%), and marks every bar with data-label and data-value
 * so what is drawn can be checked in a browser.
 */
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

export interface Point {
  label: string
  value: number
  /** Fill colour; default the chart's. */
  colour?: string
  /** Shown on hover (the SVG <title>); default `label: value`. */
  tip?: string
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', {maximumFractionDigits: 2}))

/** Round axis steps: 1, 2, 5 × 10^n, about `ticks` of them up to max. */
function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1
  const raw = max / ticks
  const mag = 10 ** Math.floor(Math.log10(raw))
  const f = raw / mag
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag
}

type ColumnOptions = {colour?: string; unit?: string; height?: number; format?: (n: number) => string}
type BarOptions = {colour?: string; format?: (p: Point) => string; max?: number}

/** Vertical bars over a category axis (days, hours, duration bands), drawn for both widths. */
export const columnChart = (id: string, title: string, points: Point[], opts: ColumnOptions = {}): string => responsive((width) => drawColumns(id, title, points, {...opts, width}))

/** Horizontal bars with the label on the left and the value on the right (outcomes, funnels), drawn for both widths. */
export const barChart = (id: string, title: string, points: Point[], opts: BarOptions = {}): string => responsive((width) => drawBars(id, title, points, {...opts, width}))

function drawColumns(id: string, title: string, points: Point[], opts: ColumnOptions & {width: number}): string {
  const format = opts.format ?? fmt
  const W = opts.width
  const H = opts.height ?? 240
  const left = 48
  const right = 12
  const top = 14
  const bottom = 40
  const plotW = W - left - right
  const plotH = H - top - bottom
  const max = Math.max(0, ...points.map((p) => p.value))
  const step = niceStep(max, 4)
  const yMax = Math.max(step, Math.ceil(max / step) * step)
  const y = (v: number) => top + plotH - (v / yMax) * plotH
  const slot = points.length ? plotW / points.length : plotW
  const barW = Math.max(1, slot * 0.78)
  const out: string[] = []
  out.push(`<svg class="chart" data-chart="${esc(id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}" preserveAspectRatio="xMidYMid meet">`, `<title>${esc(title)}</title>`)
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    out.push(`<line class="grid" x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`)
    out.push(`<text class="tick" x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(format(v))}</text>`)
  }
  // Labels thinned so they do not overlap: about 8 units a character at 13 px, and a gap.
  const every = Math.max(1, Math.ceil((points.reduce((m, p) => Math.max(m, p.label.length), 0) * 8 + 6) / slot))
  points.forEach((p, i) => {
    const x = left + i * slot + (slot - barW) / 2
    const h = Math.max(p.value > 0 ? 1 : 0, (p.value / yMax) * plotH)
    out.push(`<rect class="bar" data-label="${esc(p.label)}" data-value="${p.value}" x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${p.colour ?? opts.colour ?? '#2563eb'}"><title>${esc(p.tip ?? `${p.label}: ${format(p.value)}${opts.unit ? ` ${opts.unit}` : ''}`)}</title></rect>`)
    if (i % every === 0) out.push(`<text class="label" x="${(left + i * slot + slot / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle">${esc(p.label)}</text>`)
  })
  out.push(`<line class="axis" x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}"/>`)
  out.push('</svg>')
  return out.join('')
}

function drawBars(id: string, title: string, points: Point[], opts: BarOptions & {width: number}): string {
  const W = opts.width
  const rowH = 26
  const labelW = Math.round(W * (W < 500 ? 0.27 : 0.3))
  const valueW = Math.round(W * (W < 500 ? 0.34 : 0.24))
  const H = Math.max(1, points.length) * rowH + 8
  const max = opts.max ?? Math.max(0, ...points.map((p) => p.value))
  const plotW = W - labelW - valueW - 16
  const out: string[] = []
  out.push(`<svg class="chart" data-chart="${esc(id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}" preserveAspectRatio="xMidYMid meet">`, `<title>${esc(title)}</title>`)
  points.forEach((p, i) => {
    const yTop = 4 + i * rowH
    const w = max > 0 ? Math.max(p.value > 0 ? 2 : 0, (p.value / max) * plotW) : 0
    const room = Math.floor((labelW - 12) / 7.5)
    const label = p.label.length > room ? `${p.label.slice(0, room - 1)}…` : p.label
    out.push(`<text class="label" x="${labelW - 8}" y="${yTop + rowH / 2 + 4}" text-anchor="end">${esc(label)}</text>`)
    out.push(`<rect class="bar" data-label="${esc(p.label)}" data-value="${p.value}" x="${labelW}" y="${yTop + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="2" fill="${p.colour ?? opts.colour ?? '#2563eb'}"><title>${esc(p.tip ?? `${p.label}: ${fmt(p.value)}`)}</title></rect>`)
    out.push(`<text class="value" x="${(labelW + w + 6).toFixed(1)}" y="${yTop + rowH / 2 + 4}">${esc(opts.format ? opts.format(p) : fmt(p.value))}</text>`)
  })
  out.push('</svg>')
  return out.join('')
}

/**
 * A chart drawn twice, for a wide screen and for a phone; CSS shows one (report.ts). A viewBox
 * scales text with the drawing, so a phone gets a drawing made for its width rather than a
 * desktop one shrunk to unreadable text.
 */
function responsive(draw: (width: number) => string): string {
  return `<div class="wide-only">${draw(640)}</div><div class="narrow-only">${draw(360)}</div>`
}
