// The only module that imports light-my-request. It turns a Node-style
// `(req, res)` handler into a function from a request task to a web Response,
// so that the fetch path in respond.ts (inline or streamed with credits,
// cancel on disconnect) serves Node apps unchanged.
//
// Why light-my-request rather than our own IncomingMessage/ServerResponse
// pair: it is Fastify's own injector, kept working with Express, Koa and
// connect; with `payloadAsStream` it resolves at writeHead and exposes every
// res.write() live with push() backpressure. Measured in
// bench/node-adapter.bench.ts against a hand-written adapter (a real
// http.Server fed an in-memory socket); see the commit message.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { inject } from 'light-my-request'
import type { RequestTask } from '../src/pool/protocol.js'
import { finalCallback, registerFailure } from './framework-errors.js'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown
/** Registers what to do if the request ends early (the client left, or --timeout). */
export type OnAbort = (listener: (reason: unknown) => void) => void
/** A Node handler seen through fetch's eyes: the task in, a Response out. */
export type NodeFetch = (task: RequestTask, onAbort: OnAbort) => Promise<Response>

// Headers the main thread's own ServerResponse sets for its connection.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade'])
// Statuses a web Response must be built without a body for.
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * Adapt `handler`. `server`, when the handler was captured from
 * `server.listen()`, is `this` inside it, as Node's own server would pass.
 */
export function nodeToFetch(handler: NodeHandler, server?: Server): NodeFetch {
  const final = finalCallback(handler)
  return (task, onAbort) =>
    new Promise<Response>((resolve, reject) => {
      const dispatch = withClient(handler, task, onAbort, reject, final)
      // No headers: the handler gets req.headers and req.rawHeaders from the
      // task (withClient), so light-my-request's own would be built for nothing.
      inject(dispatch as RequestListener, {
        method: task.method as 'GET',
        url: requestTarget(task.url),
        ...(task.body ? { payload: Buffer.from(task.body) } : {}),
        remoteAddress: task.remoteAddress,
        payloadAsStream: true,
        validate: false,
        ...(server ? { server } : {}),
      }).then((injected) => {
        const raw = injected.raw.res
        // Pairs, not a Headers: the worker's Response keeps them as given (fast-response.ts), without loading undici.
        const headers: [string, string][] = []
        for (const [name, value] of Object.entries(injected.headers)) {
          if (HOP_BY_HOP.has(name) || value === undefined) continue
          for (const one of Array.isArray(value) ? value : [value]) headers.push([name, String(one)])
        }
        const status = injected.statusCode
        const init = { status, statusText: injected.statusMessage ?? '', headers }
        if (NULL_BODY.has(status)) return resolve(new Response(null, init))
        const stream = injected.stream()
        // Most handlers end the response before this runs (res.end, res.send,
        // res.json): light-my-request has pushed the whole body by then, so it
        // goes as bytes, with no web stream (0.4-1 ms of a fresh worker's first
        // requests, ~45 µs of a warm one's).
        if (raw.writableEnded) return resolve(new Response((stream.read() as Buffer | null) ?? null, init))
        resolve(new Response(toWebStream(stream, raw), init))
      }, reject)
    })
}

/**
 * The handler, wrapped to give `req` what a real socket would (the client's
 * port; `connection` without light-my-request's deprecation warning), to
 * close `req`/`res` when the client leaves, and to turn a rejected async
 * handler into a failed request instead of an unhandled rejection.
 */
function withClient(
  handler: NodeHandler,
  task: RequestTask,
  onAbort: OnAbort,
  reject: (error: unknown) => void,
  final: ReturnType<typeof finalCallback>,
): NodeHandler {
  const dispatch = function (this: unknown, req: IncomingMessage, res: ServerResponse) {
    const socket = req.socket as { remotePort?: number; remoteFamily?: string; encrypted?: boolean }
    socket.remotePort = task.remotePort
    socket.remoteFamily = task.remoteAddress.includes(':') ? 'IPv6' : 'IPv4'
    // What Express's req.protocol, Koa's ctx.protocol and Fastify's request.protocol read.
    if (task.url.startsWith('https:')) socket.encrypted = true
    Object.defineProperty(req, 'connection', { get: () => req.socket, configurable: true })
    // The headers as they came off the wire, and as Node's own server would
    // combine them: light-my-request joins repeats with ',' (a Cookie too) and
    // adds a User-Agent the client never sent.
    req.rawHeaders = task.headers.slice()
    req.headers = nodeHeaders(task.headers)
    // Node's server links them (v15.7+); light-my-request does not.
    ;(req as { res?: ServerResponse }).res ??= res
    // A real server closes both sides whenever the client goes: req with an
    // AbortError (as light-my-request does given a signal), res by its
    // destroy(), which also fails the injection or its payload stream.
    onAbort((reason) => {
      if (!req.destroyed) req.destroy(Object.assign(new Error('The operation was aborted', { cause: reason }), { name: 'AbortError', code: 'ABORT_ERR' }))
      if (!res.writableFinished) res.destroy()
    })
    // A framework's default error response gives way to hotcell's page (framework-errors.ts).
    registerFailure(req, reject)
    const result = (final ? (handler as (...args: unknown[]) => unknown).call(this, req, res, final(req, res, reject)) : handler.call(this, req, res)) as
      | { then?: unknown }
      | undefined
    if (result instanceof Response) return reject(mistakenForNode())
    if (result && typeof result.then === 'function') {
      ;(result as Promise<unknown>).then(
        (value) => {
          if (value instanceof Response && !res.headersSent) reject(mistakenForNode())
        },
        (error: unknown) => {
          if (res.headersSent) res.destroy(error as Error)
          else reject(error)
        },
      )
    }
  }
  // light-my-request re-parents Express's req/res prototypes onto its own
  // only when it recognises the app (`fn.request.app === fn`); without that,
  // Express swaps light-my-request's methods off every request. Keep the
  // recognition working through the wrapper.
  const express = handler as NodeHandler & { request?: object; response?: object }
  if (express.request && express.response && (express.request as { app?: unknown }).app === handler) {
    Object.assign(dispatch, {
      request: Object.create(Object.getPrototypeOf(express.request), { app: { value: dispatch } }),
      response: Object.create(Object.getPrototypeOf(express.response)),
    })
  }
  return dispatch
}

/** A fetch handler declared with two parameters, `(request, env)`, is guessed Node-style; say how to fix that. */
function mistakenForNode(): TypeError {
  return new TypeError(
    'The handler was run as a Node (req, res) handler because it declares two or more parameters, but it returned a Response: it is a fetch handler. Start hotcell with --handler fetch (or handler: "fetch").',
  )
}

// Node keeps the first of these when a request repeats them (message.headers in Node's docs).
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

/** req.headers by Node's rules: repeats joined with ', ' (Cookie with '; '), Set-Cookie an array, single-valued ones kept once. */
function nodeHeaders(flat: string[]): IncomingMessage['headers'] {
  const headers: IncomingMessage['headers'] = {}
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase()
    const value = flat[i + 1]!
    const seen = headers[name]
    if (name === 'set-cookie') headers[name] = [...((seen as string[] | undefined) ?? []), value]
    else if (seen === undefined) headers[name] = value
    else if (!SINGLE.has(name)) headers[name] = `${seen as string}${name === 'cookie' ? '; ' : ', '}${value}`
  }
  return headers
}

/** The path and query of the task's absolute URL (`http://host/p?q` → `/p?q`), without parsing it again. */
function requestTarget(url: string): string {
  const path = url.indexOf('/', url.indexOf('//') + 2)
  return path === -1 ? '/' : url.slice(path)
}

/**
 * The response body as a web stream that hands over what the handler has
 * written as soon as it is asked, synchronously when it can: respond.ts then
 * sends a complete small body inline. Reading is what lets `res.write()`
 * return true again ('drain'), so the credit protocol's backpressure reaches
 * the handler.
 */
function toWebStream(stream: Readable, res: ServerResponse): ReadableStream<Uint8Array> {
  const pull = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void => {
    const chunk = stream.read() as Buffer | null
    if (chunk !== null) return controller.enqueue(chunk)
    // light-my-request pushes the end in the same tick as res.end().
    if (res.writableEnded || stream.readableEnded) return controller.close()
    if (stream.destroyed) return controller.error(stream.errored ?? new Error('The response was destroyed before it ended'))
    return new Promise<void>((resolve) => {
      const wake = () => {
        stream.off('readable', wake).off('end', wake).off('close', wake)
        resolve(pull(controller) ?? undefined)
      }
      stream.on('readable', wake).on('end', wake).on('close', wake)
    })
  }
  return new ReadableStream<Uint8Array>(
    {
      pull,
      cancel() {
        // The client left: a real server's res emits 'close'.
        if (!res.destroyed) res.destroy()
        stream.destroy()
      },
    },
    { highWaterMark: 0 },
  )
}
