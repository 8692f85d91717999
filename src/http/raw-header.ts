// Headers as a flat [name, value, name, value, …] list: a request's
// `rawHeaders` (read instead of `req.headers`, which node:http builds on
// first read, a property per header, at more cost than the lookups the
// request path needs) and a worker's response headers.

/** The value of header `name` (lower case), the first if it repeats; undefined if absent. */
export function rawHeader(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i]!, name)) return raw[i + 1]
  return undefined
}

/** How many times header `name` (lower case) appears. */
export function countHeader(raw: readonly string[], name: string): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i]!, name)) n++
  return n
}

// The length first: most names differ in it, and lower-casing allocates.
function sameName(key: string, lower: string): boolean {
  return key.length === lower.length && (key === lower || key.toLowerCase() === lower)
}
