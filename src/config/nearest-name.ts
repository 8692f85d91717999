// "Did you mean": the known name nearest to a mistyped one, for unknown flags
// (`--prot`) and unknown option keys (`{ prot: 8080 }`).

/** The candidate the user most likely meant, or undefined when none is near enough to be meant. */
export function nearestName(given: string, candidates: Iterable<string>): string | undefined {
  const name = given.toLowerCase()
  if (name === '') return undefined
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase()
    // A prefix of three letters or more (`--wor`) is meant, whatever its length.
    const distance = lower.startsWith(name) && name.length >= 3 ? 0.5 : editDistance(name, lower)
    if (!best || distance < best.distance) best = { candidate, distance }
  }
  // One edit for short names, two for longer ones: further than that is a different word.
  return best && best.distance <= (name.length <= 4 ? 1 : 2) ? best.candidate : undefined
}

/** Optimal string alignment distance: a swap of neighbours (`prot`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}
