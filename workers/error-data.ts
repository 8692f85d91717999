import type { ErrorData } from '../src/pool/protocol.js'
import { sourceExcerpts } from './source-excerpts.js'

// Causes can be cyclic (a.cause = b, b.cause = a) and arbitrarily deep; the
// page and the terminal only need the first few links.
const MAX_DEPTH = 8

/** Turn anything that was thrown into plain data that survives postMessage intact. */
export function toErrorData(value: unknown, seen: Set<unknown> = new Set(), depth = 0): ErrorData {
  if (!(value instanceof Error)) {
    return { name: 'NonError', message: `${describe(value)} was thrown`, thrown: describe(value) }
  }
  seen.add(value)
  const data: ErrorData = { name: value.name, message: value.message }
  if (typeof value.stack === 'string') data.stack = value.stack
  const sources = sourceExcerpts(data.stack)
  if (sources) data.sources = sources
  const code = (value as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') data.code = String(code)
  if (depth < MAX_DEPTH) {
    const cause = (value as { cause?: unknown }).cause
    if (cause !== undefined) {
      data.cause = seen.has(cause) ? { name: 'Cycle', message: 'the cause chain loops back to an earlier error' } : toErrorData(cause, seen, depth + 1)
    }
    if (value instanceof AggregateError && Array.isArray(value.errors)) {
      data.errors = value.errors
        .slice(0, 16)
        .map((e) => (seen.has(e) ? { name: 'Cycle', message: 'refers to an enclosing error' } : toErrorData(e, seen, depth + 1)))
    }
  }
  return data
}

/** A short, honest description of a value for messages: `42 (number)`, `an object with keys a, b`. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value)}`
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${String(value)} (${typeof value})`
    case 'symbol':
      return value.toString()
    case 'function': {
      const name = value.name ? ` ${value.name}` : ''
      return `a function${name} with ${value.length} parameter${value.length === 1 ? '' : 's'}`
    }
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`
  const ctor = (value as object).constructor?.name
  if (ctor && ctor !== 'Object') return `an instance of ${ctor}`
  const keys = Object.keys(value as object)
  return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 8).join(', ')}`
}
