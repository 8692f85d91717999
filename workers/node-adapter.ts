// Turns a Node-style `(req, res)` handler into a function from a request task
// to a web Response, so that the fetch path in respond.ts (inline or streamed
// with credits, cancel on disconnect) serves Node apps unchanged. req and res
// are Node's own classes on a socket that hands the response over in memory
// (node-exchange.ts).
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { RequestTask } from '../src/pool/protocol.js'
import { responseOfOwnBytes } from './fast-response.js'
import { finalCallback, registerFailure } from './framework-errors.js'
import { definitionOf } from './handler-location.js'
import { currentScope, reportAfterResponse } from './late-errors.js'
import { type Failure, failAfter } from './node-failure.js'
import { ExchangeSocket, exchange } from './node-exchange.js'
import type { SentHead } from './sent-head.js'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown
/** Registers what to do if the request ends early (the client left, or --timeout). */
export type OnAbort = (listener: (reason: unknown) => void) => void
/** A Node handler seen through fetch's eyes: the task in, a Response out. */
export type NodeFetch = (task: RequestTask, onAbort: OnAbort) => Promise<Response>

// Tells code in the worker (the standby test) that the adapter was loaded:
// a standby preloads it after a Node-style bundle, before importing the next.
;(globalThis as Record<symbol, unknown>)[Symbol.for('hotcell.nodeAdapter')] = true

// Statuses a web Response must be built without a body for.
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * Adapt `handler`. `server`, when the handler was captured from
 * `server.listen()`, is `this` inside it, as Node's own server would pass.
 * `bundleUrl`, the app's bundle, is where the handler's definition is looked
 * for if it turns out to be a fetch handler. `guessed`: it is run Node-style
 * only because it declares two or more parameters (no --handler node).
 */
export function nodeToFetch(handler: NodeHandler, server?: Server, bundleUrl?: string, guessed = false): NodeFetch {
  const final = finalCallback(handler)
  return (task, onAbort) =>
    new Promise<Response>((resolve, reject) => {
      let answered = false
      // Taken now: an error after the response may come from a callback outside this request's scope.
      const scope = currentScope()
      const socket: ExchangeSocket = new ExchangeSocket(task, server, {
        // After the handler's synchronous part (or this promise job) is done:
        // a res.end() right after the head makes a whole body, sent as bytes.
        head: (head) => queueMicrotask(() => answer(head)),
        destroyed(error) {
          if (answered) return
          answered = true
          reject(error ?? new Error('The response was destroyed (res.destroy()) before its head was sent'))
        },
      })
      const { req, res } = exchange(task, requestTarget(task.url), socket)
      const answer = (head: SentHead) => {
        if (answered) return
        answered = true
        const init = { status: head.status, statusText: head.statusText, headers: head.headers }
        try {
          if (NULL_BODY.has(head.status)) resolve(new Response(null, init))
          // Most handlers end the response in the same turn (res.end, res.send, res.json): bytes, no web stream.
          // Bytes taken from the exchange socket: kept without the copy new Response makes.
          else if (res.writableEnded) resolve(responseOfOwnBytes(asSent(socket.take(), head), init))
          else resolve(new Response(bodyStream(socket, res), init))
        } catch (error) {
          // A status Response refuses (res.statusCode = 600, which Node itself would send).
          reject(error)
        }
      }
      // A guessed handler that used its first argument as a fetch Request fails with the reason, not only Node's TypeError.
      const fail = guessed ? (error: unknown) => reject(usedAsRequest(error) ? mistakenForNode(handler, bundleUrl, error) : error) : reject
      const failure: Failure = { fail, afterResponse: (error) => reportAfterResponse(scope, error) }
      try {
        run(handler, server, req, res, onAbort, failure, final, bundleUrl)
      } catch (error) {
        // A throw in the tick of res.end(): the response is whole, if not yet handed over, and stands.
        failAfter(res, failure, error)
      }
    })
}

/**
 * Call the handler as Node's server would, closing req/res when the client
 * leaves, and turning a rejected async handler into a failed request instead
 * of an unhandled rejection.
 */
function run(
  handler: NodeHandler,
  server: Server | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  onAbort: OnAbort,
  failure: Failure,
  final: ReturnType<typeof finalCallback>,
  bundleUrl: string | undefined,
): void {
  // A real server closes both sides whenever the client goes: req with an
  // 'aborted' error, res by its destroy(), which also ends the body stream.
  onAbort((reason) => {
    // The error Node's server gives req when the connection closes early.
    if (!req.destroyed) req.destroy(Object.assign(new Error('aborted', { cause: reason }), { code: 'ECONNRESET' }))
    if (!res.writableFinished) res.destroy()
  })
  // A framework's default error response gives way to hotcell's page (framework-errors.ts).
  const reject = failure.fail
  registerFailure(req, reject)
  const result = (final ? (handler as (...args: unknown[]) => unknown).call(server, req, res, final(req, res, failure)) : handler.call(server, req, res)) as
    | { then?: unknown }
    | undefined
  if (result instanceof Response) reject(mistakenForNode(handler, bundleUrl))
  else if (result && typeof result.then === 'function') {
    ;(result as Promise<unknown>).then(
      (value) => {
        if (value instanceof Response && !res.headersSent) reject(mistakenForNode(handler, bundleUrl))
      },
      (error: unknown) => failAfter(res, failure, error),
    )
  }
}

/**
 * A fetch handler declared with two parameters, `(request, env)`, is guessed
 * Node-style; say how to fix that, and where that handler is. Raised after
 * the handler returned, the error's own stack holds only hotcell's frames and
 * Node's: its one frame is the handler's definition, when it is found.
 */
function mistakenForNode(handler: NodeHandler, bundleUrl: string | undefined, used?: unknown): TypeError {
  const what = used ? `its first argument was used as a fetch Request (${(used as Error).message})` : 'it returned a Response'
  const error = new TypeError(
    `The handler was run as a Node (req, res) handler because it declares two or more parameters, but ${what}: it is a fetch handler. Start hotcell with --handler fetch (or handler: "fetch").`,
    used ? { cause: used } : undefined,
  )
  const where = bundleUrl === undefined ? undefined : definitionOf(handler, bundleUrl)
  error.stack = `${error.name}: ${error.message}${where ? `\n    at the handler (${where.file}:${where.line}:${where.column})` : ''}`
  return error
}

/**
 * What a fetch handler's use of Node's IncomingMessage as a Request throws:
 * `new URL(request.url)` (a path, not a URL), `request.text()`, `.json()`,
 * `request.headers.get()` (a plain object there).
 */
function usedAsRequest(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false
  if ((error as NodeJS.ErrnoException).code === 'ERR_INVALID_URL') return true
  return /\.(?:text|json|formData|arrayBuffer|blob|bytes|clone|get|has) is not a function$/.test(error.message)
}

/**
 * A string body stays a string (the main thread writes it with its head in
 * one write) unless the handler set no Content-Type: a Response would add
 * text/plain to a string, where Node sends none and a browser sniffs.
 */
function asSent(body: Buffer | string | null, head: SentHead): Buffer | string | null {
  if (typeof body !== 'string') return body
  for (const [name] of head.headers) if (name === 'content-type') return body
  return Buffer.from(body)
}

/** The path and query of the task's absolute URL (`http://host/p?q` → `/p?q`), without parsing it again. */
function requestTarget(url: string): string {
  const path = url.indexOf('/', url.indexOf('//') + 2)
  return path === -1 ? '/' : url.slice(path)
}

/**
 * The response body as a web stream that hands over what the handler has
 * written as soon as it is asked, synchronously when it can: respond.ts then
 * sends a complete small body inline. Taking the bytes is what lets
 * `res.write()` return true again ('drain'), so the credit protocol's
 * backpressure reaches the handler.
 */
function bodyStream(socket: ExchangeSocket, res: ServerResponse): ReadableStream<Uint8Array> {
  const pull = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void => {
    const chunk = socket.take()
    if (chunk !== null) return controller.enqueue(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    if (socket.destroyed) return controller.error(res.errored ?? new Error('The response was destroyed before it ended'))
    // res.end() writes what it sends before it marks the response ended.
    if (res.writableEnded) return controller.close()
    return socket.changed().then(() => pull(controller))
  }
  return new ReadableStream<Uint8Array>(
    {
      pull,
      cancel() {
        // The client left: a real server's res emits 'close'.
        if (!res.destroyed) res.destroy()
      },
    },
    { highWaterMark: 0 },
  )
}
