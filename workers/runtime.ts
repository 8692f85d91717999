// The module piscina loads in every worker. It is stable code of ours, never
// the user's bundle: the bundle is imported by `loadApp`, and any failure there
// becomes data. This module must never throw at top level, or piscina stops
// replacing workers for good (research §1.3).
import { BroadcastChannel, parentPort, threadId, workerData } from 'node:worker_threads'
import type { ControlMessage, ErrorData, RequestTask, TaskResult, WorkerData, WorkerMessage } from '../src/pool/protocol.js'
import { loadApp, type FetchContext, type LoadedApp } from './app-loader.js'
import { describe, toErrorData } from './error-data.js'
import { catchLateErrors, runInScope, type RequestScope } from './late-errors.js'
import { respond, type ResponseControl } from './respond.js'

// Stacks from the bundle map back to the user's .ts files. Applies to modules
// loaded after this call, which the bundle always is.
process.setSourceMapsEnabled(true)

const data = workerData as WorkerData
const post = (message: WorkerMessage) => parentPort!.postMessage(message)
catchLateErrors(threadId, post)

/** Requests in flight on this thread, for aborts sent by the main thread. */
const inflight = new Map<number, { abort: AbortController; response?: ResponseControl }>()

let resolveApp!: (app: LoadedApp) => void
const app = new Promise<LoadedApp>((resolve) => (resolveApp = resolve))
let loading = false

function load(bundleUrl: string): void {
  if (loading) return
  loading = true
  void loadApp(bundleUrl, data.entry, data.handler).then((loaded) => {
    resolveApp(loaded)
    post({ type: 'hotcell:ready', gen: data.gen, threadId, ...(loaded.ok ? {} : { error: loaded.error }) })
  })
}

const control = new BroadcastChannel(data.channel)
// The channel must not keep an otherwise finished worker alive.
control.unref()
control.onmessage = (event) => {
  const message = (event as { data: ControlMessage }).data
  if (message.type === 'load') {
    if (message.only === undefined || message.only === threadId) load(message.bundleUrl)
  }
  else if (message.type === 'abort') {
    const entry = inflight.get(message.id)
    const reason = message.reason === 'timeout'
      ? new DOMException('hotcell answered 504: the request ran past --timeout', 'TimeoutError')
      : new DOMException('The client disconnected', 'AbortError')
    entry?.abort.abort(reason)
    entry?.response?.cancel()
  }
}

void warmUp().finally(() => {
  if (data.bundleUrl) load(data.bundleUrl)
  // A standby, or a replacement for a crashed worker: ask for the bundle.
  else post({ type: 'hotcell:hello', gen: data.gen, threadId })
  void rehearse()
})

/**
 * Pay one-off costs before the bundle arrives: Node loads its fetch
 * implementation lazily (~16 ms for the first Request), and the app's
 * packages take longer to import than the app itself (research §2a).
 */
async function warmUp(): Promise<void> {
  try {
    const request = new Request('http://localhost/', { method: 'POST', body: 'x' })
    await request.arrayBuffer()
    await new Response('x').arrayBuffer()
  } catch {
    // Nothing depends on the warm-up succeeding.
  }
  // A failure here is the bundle's own import error, which its import reports.
  await import(data.preloadUrl).catch(() => {})
}

// A fresh isolate runs our request path cold (interpreted, no inline caches):
// the first request of a new generation spent ~4.6 ms in the worker, ~2.5 ms
// once the path had been rehearsed. The stand-in handler is ours: the user's
// must never run for a request nobody made.
const REHEARSALS = 20
const STAND_IN: Extract<LoadedApp, { ok: true }> = { ok: true, fetch: (request) => new Response(`rehearsal ${new URL(request.url).pathname}`, { headers: { 'content-type': 'text/plain' } }) }

async function rehearse(): Promise<void> {
  for (let i = 1; i <= REHEARSALS; i++) {
    const body = i % 2 ? null : new TextEncoder().encode('rehearsal').buffer
    const task: RequestTask = { id: -i, method: body ? 'POST' : 'GET', url: `http://localhost/__hotcell/rehearsal?i=${i}`, headers: ['host', 'localhost', 'accept', '*/*'], body, remoteAddress: '127.0.0.1', remotePort: 0 }
    try {
      await serve(task, STAND_IN)
    } catch {
      // Only speed depends on it.
    }
  }
}

const env = process.env as Record<string, string | undefined>

export default async function handle(task: RequestTask): Promise<TaskResult> {
  const loaded = await app
  if (!loaded.ok) return { kind: 'failed', threadId, phase: loaded.phase, error: loaded.error }
  post({ type: 'hotcell:start', id: task.id, threadId })
  return serve(task, loaded)
}

async function serve(task: RequestTask, loaded: Extract<LoadedApp, { ok: true }>): Promise<TaskResult> {
  // A callback this request scheduled may throw outside the handler's stack:
  // then this request fails with it, and only this one (late-errors.ts).
  let fail!: (error: ErrorData) => void
  const crashed = new Promise<TaskResult>((resolve) => {
    fail = (error) => resolve({ kind: 'failed', threadId, phase: 'uncaught', error })
  })
  const scope: RequestScope = { id: task.id, method: task.method, url: task.url, running: true, fail: (error) => fail(error) }
  try {
    return await Promise.race([runInScope(scope, () => handleLoaded(task, loaded)), crashed])
  } finally {
    scope.running = false
    // Still registered only if the request failed from a stray callback while
    // the handler or its response stream was still going: stop both.
    const entry = inflight.get(task.id)
    inflight.delete(task.id)
    entry?.abort.abort(new DOMException('The request failed with an uncaught exception', 'AbortError'))
    entry?.response?.cancel()
  }
}

async function handleLoaded(task: RequestTask, loaded: Extract<LoadedApp, { ok: true }>): Promise<TaskResult> {
  const abort = new AbortController()
  const entry: { abort: AbortController; response?: ResponseControl } = { abort }
  inflight.set(task.id, entry)
  try {
    let request: Request
    try {
      request = toRequest(task, abort.signal)
    } catch (error) {
      return { kind: 'response', threadId, status: 400, statusText: 'Bad Request', headers: ['content-type', 'text/plain; charset=utf-8'], body: encode(`hotcell could not represent this request as a web Request: ${String((error as Error).message)}\n`) }
    }
    let result: unknown
    try {
      result = await loaded.fetch(request, env, context, task)
    } catch (error) {
      return { kind: 'failed', threadId, phase: 'handler', error: toErrorData(error) }
    }
    if (!(result instanceof Response)) {
      return {
        kind: 'failed',
        threadId,
        phase: 'result',
        error: {
          name: 'TypeError',
          message: `The handler returned ${describe(result)}; expected a Response (for example \`return new Response("hi")\`).`,
        },
      }
    }
    try {
      return await respond(task.id, result, abort, (c) => (entry.response = c))
    } catch (error) {
      return { kind: 'failed', threadId, phase: 'handler', error: toErrorData(error) }
    }
  } finally {
    inflight.delete(task.id)
  }
}

function toRequest(task: RequestTask, signal: AbortSignal): Request {
  const headers = new Headers()
  for (let i = 0; i < task.headers.length; i += 2) headers.append(task.headers[i]!, task.headers[i + 1]!)
  const init: RequestInit & { duplex?: 'half' } = { method: task.method, headers, signal }
  if (task.body) {
    init.body = task.body
    init.duplex = 'half'
  }
  return new Request(task.url, init)
}

const context: FetchContext = {
  waitUntil(promise) {
    // The work goes on after the response (the pool runs with atomics
    // disabled, so the event loop keeps turning); a failure is reported.
    Promise.resolve(promise).catch((error: unknown) => {
      const data = toErrorData(error)
      console.error(`hotcell: a ctx.waitUntil() promise rejected: ${data.stack ?? data.message}`)
    })
  },
  passThroughOnException() {
    // Meaningful only behind an origin server; there is none in development.
  },
}

function encode(text: string): ArrayBuffer {
  return new TextEncoder().encode(text).buffer as ArrayBuffer
}
