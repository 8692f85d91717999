// The lines under an error's message that show its own properties
// (workers/own-properties.ts), in the terminal, on the text page and on
// hotcell's HTML page: `detail: 'Key (email)=(ann@example.com) already exists.'`.
import type { ErrorData } from '../pool/protocol.js'

/** `key: value` for each property, and a last line counting those left out. */
export function propertyLines(error: ErrorData): string[] {
  const lines = (error.properties ?? []).map(({ key, value }) => `${shownKey(key)}: ${value}`)
  const more = error.moreProperties
  if (more) lines.push(`… ${more} more ${more === 1 ? 'property' : 'properties'}`)
  return lines
}

// As util.inspect writes keys: quoted unless an identifier. Quoting also
// escapes control characters, which a terminal would otherwise obey.
export function shownKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)
}

/** The properties of each error along the chain that has some, named as describeChain names it ("Caused by: TypeError"), for the browser page. */
export function propertyRows(error: ErrorData): { of: string; rows: { key: string; value: string }[] }[] {
  const found: { of: string; rows: { key: string; value: string }[] }[] = []
  const walk = (e: ErrorData, of: string, depth: number) => {
    const rows = (e.properties ?? []).map(({ key, value }) => ({ key: shownKey(key), value }))
    if (e.moreProperties) rows.push({ key: '…', value: `${e.moreProperties} more` })
    // Sections are keyed by name: a second error of the same name along the chain must not replace the first.
    if (rows.length) found.push({ of: found.some((f) => f.of === of) ? `${of} (${depth})` : of, rows })
    for (const [i, inner] of (e.errors ?? []).entries()) walk(inner, `[${i}] ${inner.thrown ? 'thrown value' : inner.name}`, depth + 1)
    if (e.cause && depth < 8) walk(e.cause, `Caused by: ${e.cause.thrown ? 'thrown value' : e.cause.name}`, depth + 1)
  }
  walk(error, error.thrown ? 'Thrown value' : error.name, 0)
  return found
}
