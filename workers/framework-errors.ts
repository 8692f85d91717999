// Frameworks catch what a handler throws and answer with their own default
// error response: Hono a bare "Internal Server Error" (and a console.error
// with hotcell's frames), Express finalhandler's stack page, Koa and Fastify a
// short text or JSON 500, h3 (1 and 2) a JSON 500. hotcell's page says more (the .ts
// line, the code, the cause chain), so where the app has NOT set an error
// handler of its own, the error is handed to hotcell instead, exactly as if a
// fetch handler had thrown it. An app's own handler always wins, and errors
// that carry a 4xx status (a 404, a body parser's 400) stay the framework's.
//
// Each framework is recognised by its own default, not by guessing:
// - Express/connect: the app's final callback (finalhandler) is about to run
//   with an error: the app is called with a callback of ours instead.
// - Koa: the context's onerror is Koa's own (an app sets its own on app.context).
// - Fastify: the route's error handler is still Fastify's default (seen from an
//   onError hook added when the instance is created; fastify.initialization).
// - Hono, h3 (1 and 2): their default handler logs the error with console.error
//   and then answers with a fixed 500 body. That pair, seen within one request,
//   is the default at work whatever the entry's shape (logged-defaults.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { holdLoggedErrors } from './logged-defaults.js'
import { type Failure, failAfter } from './node-failure.js'
const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
const { createRequire } = process.getBuiltinModule('node:module')
const { sep } = process.getBuiltinModule('node:path')

type Fail = (error: unknown) => void

/** Node-style requests in flight (the injected req) → fail that request with a thrown error. */
const failures = new WeakMap<object, Fail>()

/** `req` belongs to a request that `fail` can end with hotcell's error page. */
export function registerFailure(req: IncomingMessage, fail: Fail): void {
  failures.set(req, fail)
}

/** An error the framework would answer with a 5xx: no status, or a 5xx one. A 4xx status is the app's answer. */
function isServerError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true
  const { status, statusCode, code } = error as { status?: unknown; statusCode?: unknown; code?: unknown }
  if (code === 'ENOENT') return false // Koa and send() answer it 404
  const s = typeof status === 'number' ? status : statusCode
  return typeof s !== 'number' || s >= 500
}

const cache = createRequire(import.meta.url).cache

/** Modules of the app's packages already loaded as CommonJS, whose path ends with `tail`. */
function loaded(tail: string): string[] {
  const end = sep + ['node_modules', ...tail.split('/')].join(sep)
  return Object.keys(cache).filter((file) => file.endsWith(end))
}

// -- Express and connect ------------------------------------------------------

type Final = (req: IncomingMessage, res: ServerResponse, options: { env: string; onerror?: (error: Error) => void }) => (error?: unknown) => void
type NodeApp = ((req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => unknown) & {
  handle?: unknown
  get?: (setting: string) => unknown
  request?: object
}

/**
 * For an Express or connect app: the callback to pass as the app's third
 * argument (its `done`), which sends errors to hotcell and everything else
 * (a 404, a 4xx error) to the very finalhandler the app would have used.
 * Undefined for any other handler, or when that finalhandler is not found.
 */
export function finalCallback(handler: NodeApp): ((req: IncomingMessage, res: ServerResponse, failure: Failure) => (error?: unknown) => void) | undefined {
  if (typeof handler.handle !== 'function' || handler.length < 3) return undefined
  const express = typeof handler.get === 'function' && handler.request !== undefined
  const final = finalhandlerOf(express ? expressHome(handler.request!) : loaded('connect/index.js')[0])
  if (!final) return undefined
  const env = String((express ? handler.get!('env') : undefined) ?? process.env.NODE_ENV ?? 'development')
  // What Express and connect pass as onerror: the error's stack on stderr, except under test.
  const onerror = (error: Error) => {
    if (env !== 'test') console.error(error.stack ?? String(error))
  }
  return (req, res, failure) => (error) => {
    if (res.headersSent) {
      // After the head, finalhandler would print the stack and destroy the
      // socket, which in the tick of res.send() would turn a whole response
      // into hotcell's 500. The adapter's rule instead (failAfter): an ended
      // response stands and the error is reported against its request; one
      // still being written is cut and the error reported once, as the
      // stream's failure, mapped to the .ts line. Nothing to say without an error.
      if (error) failAfter(res, failure, error)
      return
    }
    if (error && isServerError(error)) return failure.fail(error)
    final(req, res, { env, onerror })(error)
  }
}

/** The application module of the Express copy the app was made by (its request prototype tells). */
function expressHome(request: object): string | undefined {
  const candidates = loaded('express/lib/application.js')
  const proto = Object.getPrototypeOf(request) as unknown
  return candidates.find((file) => cache[file.slice(0, -'application.js'.length) + 'request.js']?.exports === proto) ?? candidates[0]
}

function finalhandlerOf(from: string | undefined): Final | undefined {
  if (!from) return undefined
  try {
    const final = createRequire(from)('finalhandler') as unknown
    return typeof final === 'function' ? (final as Final) : undefined
  } catch {
    return undefined
  }
}

// -- Koa ------------------------------------------------------------------------

const PATCHED = Symbol.for('hotcell.frameworkErrors')

interface KoaContext {
  req: IncomingMessage
  headerSent: boolean
  writable: boolean
  app: { listeners(event: string): Array<(...args: unknown[]) => void>; onerror?: unknown }
}

/**
 * Koa's default ctx.onerror (on the prototype every app.context inherits):
 * unless the context has the app's own onerror, a server error goes to
 * hotcell. The app's 'error' listeners still hear of it; Koa's default
 * listener, which prints it, is left out: hotcell prints it.
 */
function patchKoa(): void {
  for (const file of loaded('koa/lib/context.js')) {
    const context = cache[file]?.exports as { onerror?: (this: KoaContext, error: unknown) => void; [PATCHED]?: true } | undefined
    if (!context || typeof context.onerror !== 'function' || context[PATCHED]) continue
    const original = context.onerror
    context[PATCHED] = true
    context.onerror = function (this: KoaContext, error: unknown) {
      const fail = error != null && !this.headerSent && this.writable && isServerError(error) ? failures.get(this.req) : undefined
      if (!fail) return original.call(this, error)
      for (const listener of this.app.listeners('error')) if (listener !== this.app.onerror) listener.call(this.app, error, this)
      fail(error)
    }
  }
}

// -- Fastify ----------------------------------------------------------------------

const OWN_HANDLER = Symbol('hotcell: this route has its own errorHandler')

interface FastifyInstance {
  errorHandler: unknown
  addHook(name: string, hook: (...args: never[]) => unknown): void
}
interface FastifyRequest {
  raw: IncomingMessage
  server: FastifyInstance
  routeOptions: { config?: Record<symbol, unknown> }
}

function watchFastify(): void {
  subscribe('fastify.initialization', (message) => {
    const fastify = (message as { fastify: FastifyInstance }).fastify
    const builtIn = fastify.errorHandler
    // A route's own errorHandler option is seen only here; its config tells at request time.
    fastify.addHook('onRoute', (route: { errorHandler?: unknown; config?: object }) => {
      if (route.errorHandler) route.config = { ...route.config, [OWN_HANDLER]: true }
    })
    // onError hooks run before the error handler is chosen.
    fastify.addHook('onError', (request: FastifyRequest, reply: { raw: ServerResponse }, error: unknown, done: () => void) => {
      const own = request.server.errorHandler !== builtIn || request.routeOptions.config?.[OWN_HANDLER] === true
      if (!own && isServerError(error) && !reply.raw.headersSent) failures.get(request.raw)?.(error)
      done()
    })
  })
}

let installed = false

/** Once per worker, before the app is imported. */
export function installFrameworkErrors(): void {
  if (installed) return
  installed = true
  watchFastify()
  holdLoggedErrors()
}

/** Once the app is imported: its CommonJS frameworks are loaded now. */
export function afterImport(): void {
  patchKoa()
}
