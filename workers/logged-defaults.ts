// Hono and h3 answer an error thrown by a route with a default handler that
// logs it with console.error and then sends a fixed 500 body. That pair, seen
// within one request, is the default at work whatever the entry's shape
// (export default app, { fetch: app.fetch }, serve() from @hono/node-server,
// h3 1's toWebHandler or toNodeListener): the error goes to hotcell instead,
// as if a fetch handler had thrown it (framework-errors.ts). An app's own
// error handler answers before the log, or logs nothing of the kind.
import { currentScope, type RequestScope } from './late-errors.js'

interface Held {
  error: Error
  /** Print it now, as console.error would have (at most once). */
  print(): void
  /** It was the framework's default at work: hotcell reports it instead. */
  drop(): void
  /** The response is being looked at: only print() or drop() decides now. */
  claim(): void
}
const held = new WeakMap<RequestScope, Held>()

/**
 * What Hono and h3 2 log: console.error(error). What h3 1 logs:
 * console.error('[h3]', '[unhandled]', error). Anything else is not held.
 */
function loggedError(args: unknown[]): Error | undefined {
  if (args.length === 1) return args[0] instanceof Error ? args[0] : undefined
  if (args.length === 3 && args[0] === '[h3]' && args[1] === '[unhandled]' && args[2] instanceof Error) return args[2]
  return undefined
}

/**
 * console.error(error) alone (or h3 1's form of it), inside a request, is
 * held back for a moment: if the response that follows is a framework's
 * default 500, the error goes to hotcell (and is printed by it, mapped);
 * otherwise it is printed as it was, at the latest once the current turn of
 * the event loop is over.
 */
export function holdLoggedErrors(): void {
  const original = console.error.bind(console)
  console.error = (...args: unknown[]) => {
    const scope = currentScope()
    const error = scope?.running ? loggedError(args) : undefined
    if (!scope || !error) return original(...args)
    held.get(scope)?.print()
    let done = false
    const timer = setImmediate(() => entry.print())
    const entry: Held = {
      error,
      print() {
        if (!done) original(...args)
        entry.drop()
      },
      drop() {
        done = true
        entry.claim()
      },
      claim() {
        clearImmediate(timer)
        if (held.get(scope) === entry) held.delete(scope)
      },
    }
    held.set(scope, entry)
  }
}

/**
 * The handler's response, or the error a framework's default handler turned
 * into it (thrown, so the request fails as a thrown error does).
 */
export function unwrapDefaultError(response: unknown): unknown {
  const scope = currentScope()
  const entry = scope && held.get(scope)
  if (!entry) return response
  if (!(response instanceof Response) || response.status !== 500) {
    entry.print()
    return response
  }
  // Decided here, not by the timer: the body is read within this turn of the event loop, or not at all.
  entry.claim()
  return defaultErrorOf(response, entry.error).then((error) => {
    if (error === undefined) {
      entry.print()
      return response
    }
    entry.drop()
    throw error
  })
}

/** The thrown error when `response` is the default 500 of Hono, h3 2 or h3 1 for the logged `error`. */
async function defaultErrorOf(response: Response, error: Error): Promise<unknown> {
  const text = await smallBody(response)
  if (text === undefined) return undefined
  // Hono: errorHandler logs the error and answers c.text('Internal Server Error', 500).
  if (text === 'Internal Server Error') return error
  const h3 = error as Error & { unhandled?: unknown; cause?: unknown; statusCode?: unknown }
  if (h3.unhandled !== true || !text.startsWith('{')) return undefined
  let body: { unhandled?: unknown; status?: unknown; statusCode?: unknown; statusMessage?: unknown }
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    return undefined
  }
  // h3 2: an unhandled error is wrapped in an HTTPError (unhandled: true, cause: the error) and answered as JSON.
  if (error.name === 'HTTPError') return body.unhandled === true && body.status === 500 ? (h3.cause ?? error) : undefined
  // h3 1: wrapped in an H3Error (unhandled: true, statusCode 500) and answered as JSON { statusCode: 500, stack: [] }.
  if ((error.constructor as { __h3_error__?: unknown } | undefined)?.__h3_error__ === true && h3.statusCode === 500) {
    if (body.statusCode !== 500 || body.statusMessage !== undefined) return undefined
    // Its cause is the thrown error, unless that had a cause of its own (h3 takes `cause || error`): then the
    // wrapper, which has the thrown error's message and stack.
    const cause = h3.cause as Error | undefined
    return cause instanceof Error && cause.stack === error.stack ? cause : error
  }
  return undefined
}

// Both defaults are short bodies made at once; anything longer, or not
// complete by the end of this turn of the event loop, is the app's own.
const SMALL = 512

/** The whole body when it is short and already there; undefined otherwise (the copy is dropped). */
async function smallBody(response: Response): Promise<string | undefined> {
  const reader = response.clone().body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  const read = (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return Buffer.concat(chunks).toString('utf8')
      chunks.push(value)
      size += value.byteLength
      if (size > SMALL) return undefined
    }
  })().catch(() => undefined)
  const text = await Promise.race([read, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))])
  if (text === undefined) void reader.cancel().catch(() => {})
  return text
}
