import type { Server } from 'node:http'
import { type ExportedAddress, IMPORT_LIMIT_MS, type WorkerMessage } from '../src/pool/protocol.js'
import { importBundle } from './bundle-import.js'
import { describe, toErrorData } from './error-data.js'
import { installConnectWatch, watchConnects } from './connect-sites.js'
import { withImportHints } from './import-hints.js'
import { readSourcesFrom } from './source-excerpts.js'
import { capturedServers, installListenCapture, isHttpServer } from './listen-capture.js'
import { awaitListen, type ListenWait } from './listen-wait.js'
import { listenTooLate, loadedFastify, tellLateListen, workEnded } from './listen-verdict.js'
import { countResources, type ResourceCounts } from './pending-work.js'
import { placeServers } from './captured-servers.js'
import { afterImport, installFrameworkErrors } from './framework-errors.js'
import { unwrapDefaultError } from './logged-defaults.js'
import { withoutLoaderFrames } from './loader-frames.js'
import { whenAborted } from './lazy-request.js'
import { definitionOf } from './handler-location.js'
import { explainJsxRuntime } from './jsx-runtime-errors.js'
import { explainMissingPackage, locateMissingExport } from './missing-package.js'
import { installModuleMeta } from './module-meta.js'
import { installWebSocketPair } from './websocket-pair.js'
import { isClass, isEmptyObject, isExpressRouter, nodeParameters, servableNamed, transpiledDefault } from './export-shape.js'
import type { NodeHandler } from './node-adapter.js'
import type { AppFunction, FetchFunction, LoadedApp, OnWaiting, Style } from './loaded-app.js'
const { parentPort } = process.getBuiltinModule('node:worker_threads')

/** A real load's import, for what follows it: when it began and ended, what was alive before it, whom to tell of a wait. */
interface ImportTimes {
  before: ResourceCounts
  started: number
  ended: number
  onWaiting: OnWaiting | undefined
}

// An exported Fastify instance whose ready() takes this long is said to the
// main thread (its still-waiting line, its timeout's wording): a quick one
// costs no message.
const SLOW_READY_MS = 100

const EXPECTED = [
  'Expose the handler in one of three ways:',
  '  1. a fetch handler:      export default { fetch(request, env, ctx) { return new Response("hi") } }',
  '                           (or export default app for Hono, h3, itty-router; or export default (request) => new Response("hi"))',
  '  2. a Node handler:       export default (req, res) => res.end("hi")   (or export default app for Express/connect, app.callback() for Koa)',
  '  3. start a server:       app.listen(3000), http.createServer(handler).listen(3000), or serve({ fetch: app.fetch }) from @hono/node-server;',
  '                           hotcell captures the server instead of binding the port',
].join('\n')

/**
 * What the bundle's code must find in place: import.meta, the captured
 * listen(), framework error hooks, WebSocketPair, the watch on client sockets. A standby installs it while
 * it waits (runtime.ts): a reload's import does not pay for it. Idempotent.
 */
export function prepareForApp(): void {
  installModuleMeta()
  installListenCapture()
  installFrameworkErrors()
  installWebSocketPair()
  installConnectWatch()
}

/**
 * Import the bundle and find the handler in it. Never throws: failures come
 * back as data. `swap`: a reload's import, which old code serves beside until
 * it is ready: what the terminal is told of its servers waits until then.
 */
export async function loadApp(bundleUrl: string, entry: string, style: Style, onWaiting?: OnWaiting, swap = false): Promise<LoadedApp> {
  prepareForApp()
  readSourcesFrom(bundleUrl)
  let mod: Record<string, unknown>
  const before = countResources()
  const started = performance.now()
  // A connection refused at import names the app's line that opened it (connect-sites.ts).
  const stopWatching = watchConnects()
  try {
    mod = await importBundle(bundleUrl)
  } catch (error) {
    const data =
      explainJsxRuntime(error, bundleUrl) ?? explainMissingPackage(error, bundleUrl) ?? withImportHints(error, withoutLoaderFrames(toErrorData(error)))
    return { ok: false, phase: 'import', error: locateMissingExport(data, bundleUrl) ?? data }
  } finally {
    stopWatching()
  }
  afterImport()
  try {
    const loaded = await resolveHandler(mod, entry, style, bundleUrl, { before, started, ended: performance.now(), onWaiting })
    if (loaded.ok) placeServers(loaded, swap)
    return loaded
  } catch (error) {
    // A Fastify app whose ready() fails (a plugin threw) lands here.
    return { ok: false, phase: 'import', error: withoutLoaderFrames(toErrorData(error)) }
  }
}

/**
 * What follows a bundle's import (afterImport, finding the handler, the
 * wrapper around it), run by a standby on stand-ins before its bundle comes
 * (rehearsal.ts): a fresh isolate compiled and ran it cold in each reload,
 * 0.45-0.57 ms from the end of the bundle's require() to 'ready', 0.17-0.26
 * ms once rehearsed (node:http app, Node 20). Each stand-in is looked at only
 * while no bundle is `loading`: with no listen() captured and no port
 * exported, nothing leaves the worker. What each stand-in was found to be, in
 * order (a shape error where `style` refuses it).
 */
export async function rehearseLoad(standIns: readonly unknown[], style: Style, loading: () => boolean): Promise<LoadedApp[]> {
  afterImport()
  const found: LoadedApp[] = []
  for (const exported of standIns) {
    if (loading()) break
    found.push(await resolveHandler({ default: exported }, 'the rehearsal', style, REHEARSAL_URL).catch(() => shapeError('')))
  }
  return found
}
const REHEARSAL_URL = 'file:///hotcell-rehearsal.mjs'

/** `times`: a real load's (a rehearsal has none, and waits for nothing). */
async function resolveHandler(mod: Record<string, unknown>, entry: string, style: Style, bundleUrl: string, times?: ImportTimes): Promise<LoadedApp> {
  // An entry without exports in a "type": "commonjs" package (npm init's
  // default) is CommonJS to esbuild: the bundle's default export is its
  // module.exports, an empty object. It counts as no export at all, or an
  // entry that listens once its database is up would be judged at once.
  const emptyDefault = isEmptyObject(mod.default) && Object.keys(mod).every((name) => name === 'default' || name === '__esModule')
  // TypeScript's or Babel's CommonJS output of `export default app`: module.exports is
  // { __esModule: true, default: app }, and that whole object is the bundle's default export.
  const exported = emptyDefault ? undefined : transpiledDefault(mod.default)
  // A listen() during the import wins over nothing; a default export wins over a listen()
  // for requests (which server gets the upgrades, and what the terminal says: captured-servers.ts).
  const listened = capturedServers()[0]

  if (exported === undefined) {
    // Nothing exported: a listen() may still come (listen-wait.ts).
    if (!listened && times) times.onWaiting?.(loadedFastify() ? 'fastify-listen' : 'listen', times.started + IMPORT_LIMIT_MS - performance.now())
    const waited: ListenWait = listened
      ? { listen: listened }
      : times
        ? await awaitListen(times.before, times.started, times.ended)
        : { listen: undefined, why: 'idle' }
    if (waited.listen) return await fromServer(waited.listen.server, bundleUrl)
    if (times) tellLateListen(times.started)
    if (waited.why === 'limit') return shapeError(listenTooLate(entry, waited.timersOnly))
    const ended = waited.workEndedMs === undefined ? '' : ` ${workEnded(waited.workEndedMs)}`
    if (emptyDefault) {
      return shapeError(
        `The default export of ${entry} is an empty object (what an entry without exports in a "type": "commonjs" package gets), and it starts no server either.${ended}\n${EXPECTED}`,
      )
    }
    const named = Object.keys(mod)
    const found = `${named.length ? `It has only named exports: ${named.join(', ')}.` : 'It exports nothing.'} It starts no server either.${ended}`
    const likely = servableNamed(mod)
    const meant = likely
      ? `\nThe named export ${likely.name} ${likely.kind}: if it is your handler, export it as the default too: export default ${likely.name}`
      : ''
    return shapeError(`${entry} has no default export. ${found}${meant}\n${EXPECTED}`)
  }
  if (typeof exported === 'function') {
    if (isClass(exported))
      return shapeError(
        `The default export of ${entry} is the class ${exported.name || '(anonymous)'}, which cannot be called without new. Export an instance: export default new ${exported.name || 'App'}()`,
      )
    if (isExpressRouter(exported))
      return shapeError(
        `The default export of ${entry} is an Express Router, not an app: a Router has no res.send() of its own and no end for what it does not route. Mount it on an app: const app = express(); app.use(router); export default app`,
      )
    const nodeStyle = style === 'node' || (style === 'auto' && exported.length >= 2)
    if (nodeStyle) return await node(exported as NodeHandler, bundleUrl, undefined, style === 'auto')
    const fetch = exported as FetchFunction
    const where = () => definitionOf(fetch, bundleUrl)
    const parameters = style === 'fetch' ? nodeParameters(exported) : undefined
    if (parameters) return { ok: true, fetch: withNodeHint(fetch, parameters, bundleUrl), where }
    return { ok: true, fetch: (request, env, ctx) => settled(fetch(request, env, ctx)), where }
  }
  if (typeof exported === 'object' && exported !== null) {
    const app = exported as { fetch?: unknown; callback?: unknown; server?: unknown; ready?: unknown }
    if (isHttpServer(exported)) return await fromServer(exported, bundleUrl)
    if (typeof app.fetch === 'function' && style !== 'node') {
      announceAddress(app)
      const fetch = app.fetch as FetchFunction
      return { ok: true, fetch: (request, env, ctx) => settled(fetch.call(app, request, env, ctx)), where: () => definitionOf(fetch, bundleUrl) }
    }
    // A Fastify instance: routes exist only after ready().
    if (isHttpServer(app.server) && typeof app.ready === 'function') {
      await slowToSay((app.ready as () => Promise<unknown>).call(app), times)
      return await fromServer(app.server, bundleUrl)
    }
    // A Koa application.
    if (typeof app.callback === 'function') return await node((app.callback as () => NodeHandler).call(app), bundleUrl)
  }
  if (listened) return await fromServer(listened.server, bundleUrl)
  if (style === 'node' && typeof (exported as { fetch?: unknown } | null)?.fetch === 'function')
    return shapeError(
      `The default export of ${entry} is a fetch handler (an object with a fetch method), but the handler option is 'node' (--handler node), which serves a Node (req, res) handler. Drop the option to let hotcell tell, or set it to 'fetch'.`,
    )
  return shapeError(`The default export of ${entry} is ${describe(exported)}.\n${EXPECTED}`)
}

/** `ready`, and the main thread told if it takes long. */
async function slowToSay(ready: Promise<unknown>, times: ImportTimes | undefined): Promise<void> {
  const onWaiting = times?.onWaiting
  if (!onWaiting) {
    await ready
    return
  }
  const started = times.started
  const timer = setTimeout(() => onWaiting('ready', started + IMPORT_LIMIT_MS - performance.now()), SLOW_READY_MS)
  try {
    await ready
  } finally {
    clearTimeout(timer)
  }
}

/** A server's 'request' listener is the handler; with several, emitting reaches them all, as Node does. */
function fromServer(server: Server, bundleUrl: string): Promise<LoadedApp> {
  const listeners = server.listeners('request') as NodeHandler[]
  const handler: NodeHandler = listeners.length === 1 ? listeners[0]! : (req, res) => server.emit('request', req, res)
  return node(handler, bundleUrl, server)
}

// The adapter (node:http's req and res, ~8 ms to import) is loaded only for
// a Node-style handler: a fetch app's workers boot without it.
// Kept once loaded: an import() of it again (each reload's, the standby's rehearsal having loaded it) cost 0.1-0.2 ms.
let nodeAdapter: typeof import('./node-adapter.js') | undefined
async function node(handler: NodeHandler, bundleUrl: string, server?: Server, guessed = false): Promise<LoadedApp> {
  nodeAdapter ??= await import('./node-adapter.js')
  const { nodeToFetch } = nodeAdapter
  const handle = nodeToFetch(handler, server, bundleUrl, guessed)
  return {
    ok: true,
    node: true,
    handler,
    fetch: (request, _env, _ctx, task) => handle(task, (listener) => whenAborted(request, listener)).then(unwrapDefaultError),
    ...(server ? { server } : {}),
  }
}

/** What the handler returned, unless it is a framework's default answer to a thrown error (framework-errors.ts). */
function settled(result: unknown): unknown {
  return result instanceof Promise ? result.then(unwrapDefaultError) : unwrapDefaultError(result)
}

/**
 * Bun serves `export default { port: 8080, fetch }` on port 8080; hotcell
 * serves on its own address, and the main thread says so once. Own data
 * properties only: a router that is a Proxy answers any name it is asked.
 */
function announceAddress(app: object): void {
  const port: unknown = Object.getOwnPropertyDescriptor(app, 'port')?.value
  const hostname: unknown = Object.getOwnPropertyDescriptor(app, 'hostname')?.value
  const address: ExportedAddress = {}
  if (typeof port === 'number') address.port = port
  if (typeof hostname === 'string') address.hostname = hostname
  if (address.port === undefined && address.hostname === undefined) return
  const message: WorkerMessage = { type: 'hotcell:exported-address', address }
  parentPort?.postMessage(message)
}

function shapeError(message: string): LoadedApp {
  return { ok: false, phase: 'shape', error: { name: 'HandlerShapeError', message } }
}

/**
 * A Node handler served as a fetch handler (the handler option says 'fetch')
 * gets `env` as its response and fails on its first `res.setHeader`. As the
 * Node adapter does for the opposite guess (mistakenForNode): a TypeError
 * that says what hotcell called it with and which option made it so, at the
 * handler's definition, with the handler's own error as its cause.
 */
function withNodeHint(fetch: FetchFunction, parameters: string, bundleUrl: string): AppFunction {
  const hinted = (error: unknown): never => {
    if (!(error instanceof TypeError)) throw error
    const message = `${error.message}: hotcell called this ${parameters} handler as a fetch handler, with (request, env, ctx), because the handler option is 'fetch' (--handler fetch). If it is a Node handler, drop the option or set it to 'node'.`
    const mistaken = new TypeError(message, { cause: error })
    const where = definitionOf(fetch, bundleUrl)
    mistaken.stack = `${mistaken.name}: ${message}${where ? `\n    at the handler (${where.file}:${where.line}:${where.column})` : ''}`
    throw mistaken
  }
  return (request, env, ctx) => {
    let result: unknown
    try {
      result = fetch(request, env, ctx)
    } catch (error) {
      hinted(error)
    }
    return result instanceof Promise ? result.then(unwrapDefaultError, hinted) : unwrapDefaultError(result)
  }
}
