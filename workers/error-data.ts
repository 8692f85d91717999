import type { ErrorData } from '../src/pool/protocol.js'
import { classicJsxHint } from './jsx-runtime-errors.js'
import { explainLateImport } from './missing-package.js'
import { nativeAddonHint } from './native-addon-errors.js'
import { ownProperties } from './own-properties.js'
import { runtimeTypeScriptHint } from './runtime-typescript.js'
import { sourceExcerpts } from './source-excerpts.js'
import { workerOnlyHint } from './worker-only-hint.js'

// Causes can be cyclic (a.cause = b, b.cause = a) and arbitrarily deep; the
// page and the terminal only need the first few links.
const MAX_DEPTH = 8
// Own properties are shown for this many values of one chain at most, so that
// an AggregateError of AggregateErrors stays a bounded message.
const MOST_WITH_PROPERTIES = 16

/** Turn anything that was thrown into plain data that survives postMessage intact. */
export function toErrorData(value: unknown, seen: Set<unknown> = new Set(), depth = 0): ErrorData {
  if (!(value instanceof Error)) {
    const data: ErrorData = { name: 'NonError', message: `${describe(value)} was thrown`, thrown: describe(value) }
    // A thrown object's values ({ status: 404, message: … }): its keys alone say little.
    if (typeof value === 'object' && value !== null && seen.size < MOST_WITH_PROPERTIES) Object.assign(data, ownProperties(value, new Set()))
    return data
  }
  seen.add(value)
  // An import() the bundle left to Node, failing in a handler: the .ts line, and a tsconfig alias's or a missing package's remedy.
  const late = (value as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' ? explainLateImport(value) : undefined
  if (late) return late
  const data: ErrorData = { name: value.name, message: value.message }
  if (typeof value.stack === 'string') data.stack = value.stack
  const sources = sourceExcerpts(data.stack)
  if (sources) data.sources = sources
  const code = (value as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') data.code = String(code)
  if (code === 'ERR_MODULE_NOT_FOUND') data.message += fromBundleHint(data.message)
  if (value instanceof TypeError) data.message += bunServerHint(data.message)
  data.message += classicJsxHint(value)
  data.message += runtimeTypeScriptHint(data.message)
  if (code === 'ERR_DLOPEN_FAILED') data.message += nativeAddonHint(data.message)
  if (code === 'ERR_WORKER_UNSUPPORTED_OPERATION') data.message += workerOnlyHint(data.message)
  if (seen.size <= MOST_WITH_PROPERTIES) Object.assign(data, ownProperties(value, carried(value, data)))
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

// Node's "Cannot find module '<project>/.hotcell/<id>/routes/b.js' imported from …": a path
// computed at run time was resolved from the bundle. An import() of one and
// import.meta.resolve resolve from the source file (computed-import.ts); a
// path that reaches Node some other way still can be.
const FROM_BUNDLE = /^Cannot find module '[^']*[\\/]\.hotcell[\\/][^'\\/]+[\\/][^']*'/

/** What to write instead, for an import resolved from hotcell's bundle rather than from the source file. */
function fromBundleHint(message: string): string {
  if (!FROM_BUNDLE.test(message)) return ''
  return (
    "\nA path computed at run time is resolved from hotcell's bundle in .hotcell/, not from your source file. " +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the advice shows a template literal
    'Write the path in the import itself, import(`./routes/${name}.js`) (the build then includes every file it can match), ' +
    'or resolve it from the source file: import(new URL(path, import.meta.url).href)'
  )
}

// A handler written for Bun, `fetch(request, server)`: its second argument is
// the env here, as on Cloudflare Workers, and has none of Bun's server methods.
const BUN_SERVER_CALL = /^[\w$.]+\.(upgrade|requestIP|publish|timeout) is not a function$/

/** What hotcell has instead of a Bun server method the handler called. */
function bunServerHint(message: string): string {
  const method = BUN_SERVER_CALL.exec(message)?.[1]
  if (!method) return ''
  const instead =
    method === 'upgrade'
      ? 'accept a WebSocket with a WebSocketPair and a 101 response (docs/websockets.md)'
      : method === 'requestIP'
        ? "read the client's address from request.ip"
        : 'this Bun server method has no counterpart in hotcell'
  return `\nIf this is Bun's server.${method}(): a fetch handler here is called with (request, env, ctx), as on Cloudflare Workers, not with Bun's server; ${instead}`
}

/** As toErrorData, for the value a promise was rejected with: a non-Error was not thrown. */
export function rejectionData(value: unknown): ErrorData {
  const data = toErrorData(value)
  if (!(value instanceof Error)) data.message = `a promise was rejected with ${describe(value)}`
  return data
}

/** The keys an ErrorData carries as fields of its own: not repeated among the properties. */
function carried(error: Error, data: ErrorData): Set<string> {
  const keys = new Set(['name', 'message', 'stack', 'cause'])
  if (data.code !== undefined) keys.add('code')
  if (error instanceof AggregateError) keys.add('errors')
  return keys
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
