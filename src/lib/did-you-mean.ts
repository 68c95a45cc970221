/** Edits between two strings, counted up to 3 (all a "did you mean" needs). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  const prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length]
}

/** The candidate a typo most likely meant: same letters in another case, or within two edits. */
export function didYouMean(value: string, candidates: readonly string[]): string | undefined {
  const lower = value.toLowerCase()
  const sameCase = candidates.find((c) => c.toLowerCase() === lower)
  if (sameCase) return sameCase
  let best: string | undefined
  let bestD = 3
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase())
    if (d < bestD) {
      best = c
      bestD = d
    }
  }
  return best
}
