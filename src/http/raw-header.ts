// Reading a request's headers from `rawHeaders` instead of `req.headers`:
// Node builds that object on first read, a property per header, which cost
// more than the lookups the request path needs.

/** The value of header `name` (lower case), the first if it repeats; undefined if absent. */
export function rawHeader(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!
    if (key.length === name.length && (key === name || key.toLowerCase() === name)) return raw[i + 1]
  }
  return undefined
}

/** How many times header `name` (lower case) appears. */
export function countHeader(raw: readonly string[], name: string): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!
    if (key.length === name.length && (key === name || key.toLowerCase() === name)) n++
  }
  return n
}
