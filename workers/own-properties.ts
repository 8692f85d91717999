// What Node's own crash printout shows after an error's stack and hotcell
// used to drop: its own enumerable properties. That is where a database
// driver says which key or row failed (pg's `detail`, `table`; Prisma's
// `meta`), and where a thrown plain object keeps all it has. They cross to
// the main thread as text, bounded: a huge or circular value must neither
// flood the terminal nor the message channel.
import type { OwnProperty } from '../src/pool/protocol.js'

// Not `import … from 'node:util'`: an ES import of a builtin reads all its
// exports, and node:util's lazy ones (MIMEType, parseArgs) then load modules
// every worker would keep for nothing.
const { inspect } = process.getBuiltinModule('node:util')

const MOST_PROPERTIES = 16
const MOST_VALUE_CHARS = 300
const MOST_TOTAL_CHARS = 2000

// One line per value, as util.inspect would print it nested a little.
const INSPECT = {
  depth: 2,
  maxArrayLength: 10,
  maxStringLength: MOST_VALUE_CHARS,
  breakLength: Number.POSITIVE_INFINITY,
  compact: true,
  colors: false,
} as const

export interface OwnProperties {
  properties?: OwnProperty[]
  moreProperties?: number
}

/** The own enumerable string-keyed properties of `value` but `skip`'s, each value inspected to one bounded line. */
export function ownProperties(value: object, skip: ReadonlySet<string>): OwnProperties {
  let keys: string[]
  try {
    keys = Object.keys(value).filter((key) => !skip.has(key))
  } catch {
    // A Proxy's ownKeys trap may throw: the rest of the report still goes.
    return {}
  }
  const properties: OwnProperty[] = []
  let total = 0
  for (const key of keys) {
    if (properties.length === MOST_PROPERTIES || total >= MOST_TOTAL_CHARS) break
    const shown = clip(show(value, key), Math.min(MOST_VALUE_CHARS, MOST_TOTAL_CHARS - total))
    const shownKey = clip(key, 80)
    total += shownKey.length + shown.length
    properties.push({ key: shownKey, value: shown })
  }
  const more = keys.length - properties.length
  return properties.length ? { properties, ...(more ? { moreProperties: more } : {}) } : {}
}

function show(owner: object, key: string): string {
  try {
    // A getter is not run, as util.inspect does not: reading it could have effects, or throw.
    const descriptor = Object.getOwnPropertyDescriptor(owner, key)
    if (descriptor && !('value' in descriptor)) return descriptor.set ? (descriptor.get ? '[Getter/Setter]' : '[Setter]') : '[Getter]'
    // An Error inside (mssql's originalError) prints its stack, and a custom inspect may return lines: one line each, still.
    return inspect(descriptor?.value, INSPECT).replace(/\s*\n\s*/g, ' ')
  } catch (error) {
    // A custom [util.inspect.custom] that throws.
    return `[could not be shown: ${error instanceof Error ? error.message : String(error)}]`
  }
}

function clip(text: string, most: number): string {
  return text.length > most ? `${text.slice(0, Math.max(most - 1, 0))}…` : text
}
