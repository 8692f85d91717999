// The module piscina loads in every worker. It is stable code of ours, never
// the user's bundle: the bundle is imported by `loadApp`, and any failure there
// becomes data. This module must never throw at top level, or piscina stops
// replacing workers for good (a failure during bootstrap is sticky in piscina).
import type { MessagePort } from 'node:worker_threads'
import {
  CLIENT_LEFT_REASON,
  TIMEOUT_REASON,
  type ControlMessage,
  type LoadWait,
  type RequestTask,
  type WorkerData,
  type WorkerMessage,
} from '../src/pool/protocol.js'
import { loadApp } from './app-loader.js'
import type { LoadedApp } from './loaded-app.js'
import { installFastResponse } from './fast-response.js'
import { isFetchApiLoaded, onFetchApiLoad, warmFetchApi, watchFetchGlobals } from './fetch-api.js'
import { drainLane, flushReplies, reply, openLane, rehearseReply, started, stayAwake, type LaneTask } from './lane.js'
import { recordExits } from './exit-note.js'
import { catchLateErrors, runInScope, type RequestScope } from './late-errors.js'
import { installLazyRequest } from './lazy-request.js'
import type { Outcome } from './respond.js'
import { context, env, failed, handle, stop, type InFlight } from './handler-call.js'
import { rehearse } from './rehearsal.js'
import { startSocketHost } from './socket-host.js'
import { printStacksAsReports } from './logged-stacks.js'
import { reportFileReads } from './file-reads.js'
import { checkMemory, noteRequest } from './memory-check.js'
import { retire } from './retirement.js'
import { warmUp } from './warm-up.js'
import { besideOlder, olderEnded } from './port-retry.js'
const { threadId, workerData, parentPort } = process.getBuiltinModule('node:worker_threads')

// A Node started with --expose-gc (settle-heap.ts): the app's code does not
// get a gc global from hotcell. (The flag's binding cannot be deleted, only
// overwritten.)
const globals = globalThis as { gc?: unknown }
if (typeof globals.gc === 'function') globals.gc = undefined
// Stacks from the bundle map back to the user's .ts files. Applies to modules
// loaded after this call, which the bundle always is.
process.setSourceMapsEnabled(true)
// An Error the app logs prints its stack as hotcell's reports show it.
printStacksAsReports(process.cwd())
// Before the bundle: user code sees these as its Request and Response.
installFastResponse()
installLazyRequest()
watchFetchGlobals()

const data = workerData as WorkerData
// How long a reload's standby stays awake for the held requests: they came
// 0.2-0.5 ms after its 'ready' (Node 20, a client polling during reloads).
const SWAP_AWAKE_MS = 1.5
const post = (message: WorkerMessage) => parentPort!.postMessage(message)
// The next generations warm undici up before their first request.
if (!data.warmFetchApi && !isFetchApiLoaded()) onFetchApiLoad(() => post({ type: 'hotcell:fetch-api', threadId }))
catchLateErrors(threadId, post)
recordExits()

/** The requests in flight on this thread, by id: aborts sent by the main thread name them. */
const inflight = new Map<number, InFlight>()
// Before any of the app's packages load: they keep the fs functions they find.
if (data.readsIn)
  reportFileReads(
    data.readsIn,
    () => inflight.size > 0,
    (report) => post({ type: 'hotcell:files-read', ...report }),
  )

openLane({
  request(task) {
    if (current) return begin(task, current)
    // Before the bundle is in (a reload's standby takes requests while it
    // imports, src/reload/save-hold.ts): in arrival order once it is.
    waitingForApp++
    held.add(task.id)
    void app.then((loaded) => begin(task, loaded))
  },
  abort(message) {
    const entry = inflight.get(message.abort)
    if (!entry) return
    stop(
      entry,
      message.reason === 'timeout'
        ? new DOMException(TIMEOUT_REASON.message, TIMEOUT_REASON.name)
        : new DOMException(CLIENT_LEFT_REASON.message, CLIENT_LEFT_REASON.name),
    )
  },
  control: (message) => onControl(message),
})

let resolveApp!: (app: LoadedApp) => void
const app = new Promise<LoadedApp>((resolve) => (resolveApp = resolve))
/** The app once imported: requests then begin without waiting a microtask. */
let current: LoadedApp | undefined
/** Requests that came before the app was imported. */
let waitingForApp = 0
/**
 * Those of them not yet answered. Their replies go as each is made, not at
 * the end of the turn: a reload's held requests (src/reload/save-hold.ts)
 * wait for them, and a Node handler's reply, which comes a few promise jobs
 * after the handler ran, went after whatever the app queued for the end of
 * that turn (a setImmediate). (A flush queued as the import ended ran before
 * any such reply existed.)
 */
const held = new Set<number>()
let loading = false

function load(bundleUrl: string, swap = false): void {
  if (loading) return
  loading = true
  const onWaiting = (waiting: LoadWait, limitMs: number) => post({ type: 'hotcell:waiting', gen: data.gen, threadId, waiting, limitMs })
  void loadApp(bundleUrl, data.entry, data.handler, onWaiting, swap).then((loaded) => {
    // Requests that came during the import wait for it with the others, in lane order.
    drainLane()
    current = loaded
    resolveApp(loaded)
    post({
      type: 'hotcell:ready',
      gen: data.gen,
      threadId,
      ...(loaded.ok ? (loaded.node ? { node: true } : {}) : { error: loaded.error, phase: loaded.phase }),
    })
    // Those held during a reload without a body came already: they run as
    // this returns (their replies go as each is made: `held`). Those with a body come next.
    if (waitingForApp === 0 && swap && loaded.ok) stayAwake(SWAP_AWAKE_MS)
  })
}

function onControl(message: ControlMessage): void {
  if (message.type === 'warm-fetch-api') {
    data.warmFetchApi = true
    if (warmedUp) void warmFetchApi()
  } else if (message.type === 'load') {
    // A generation booted before the server listened learns its address now, before the entry's listen() asks.
    if (message.serverAddress) data.serverAddress = message.serverAddress
    if (message.only === undefined || message.only === threadId) {
      if (message.swap) besideOlder()
      load(message.bundleUrl, message.swap)
    }
  } else if (message.type === 'stay-awake') stayAwake(message.ms)
  else if (message.type === 'older-ended') olderEnded()
  else if (message.type === 'memory') checkMemory(message.limit, post)
  else if (message.type === 'retire') retire(message.ms, message.signal, (cut) => post({ type: 'hotcell:retired', threadId, ...cut }))
}

let warmedUp = false
void warmUp(data, post).finally(() => {
  warmedUp = true
  if (data.bundleUrl) load(data.bundleUrl)
  // A standby, or a replacement for a crashed worker: ask for the bundle.
  else post({ type: 'hotcell:hello', gen: data.gen, threadId })
  void rehearse(
    (task, standIn, done) =>
      serve({ ...task, slot: 0 }, standIn, (rehearsed, outcome) => {
        if (outcome.kind === 'response') rehearseReply(rehearsed, outcome.status, outcome.statusText, outcome.headers, outcome.body)
        done()
      }),
    data.nodeAdapter === true,
    data.handler,
    () => loading,
  )
})

function begin(task: LaneTask, loaded: LoadedApp): void {
  if (!started(task.id)) {
    held.delete(task.id)
    return
  }
  noteRequest(task.method, task.url)
  if (loaded.ok) serve(task, loaded, deliver, reply.stream)
  else {
    reply.failed(task, loaded.phase, loaded.error)
    sendIfHeld(task)
  }
}

function sendIfHeld(task: LaneTask): void {
  if (held.size > 0 && held.delete(task.id)) flushReplies()
}

function deliver(task: LaneTask, outcome: Outcome): void {
  if (outcome.kind === 'response') {
    reply.response(task, outcome.status, outcome.statusText, outcome.headers, outcome.body)
  } else if (outcome.kind === 'streamed') reply.streamed(task)
  else reply.failed(task, outcome.phase, outcome.error)
  sendIfHeld(task)
}

/**
 * Run one request and hand its outcome to `done`, once. A callback this
 * request scheduled may throw outside the handler's stack: then this request
 * fails with it, and only this one (late-errors.ts). `announce`: the response
 * streams over this port (without it, a response that would stream is cut).
 */
function serve<T extends RequestTask>(
  task: T,
  loaded: Extract<LoadedApp, { ok: true }>,
  done: (task: T, outcome: Outcome) => void,
  announce?: (task: T, port: MessagePort) => void,
): void {
  const entry: InFlight = { request: undefined, response: undefined, aborted: undefined }
  inflight.set(task.id, entry)
  const finish = (outcome: Outcome) => {
    if (!scope.running) return
    scope.running = false
    inflight.delete(task.id)
    done(task, outcome)
  }
  const scope: RequestScope = {
    id: task.id,
    method: task.method,
    url: task.url,
    running: true,
    fail(error, kind) {
      if (!scope.running) return
      finish({ kind: 'failed', phase: kind === 'unhandledRejection' ? 'rejection' : 'uncaught', error })
      // The handler or its response stream may still be going: stop both.
      stop(entry, new DOMException('The request failed with an uncaught exception', 'AbortError'))
    },
  }
  let outcome: Outcome | Promise<Outcome>
  try {
    const stream = (port: MessagePort) => (announce ? announce(task, port) : port.close())
    outcome = runInScope(scope, () => handle(task, loaded, entry, stream))
  } catch (error) {
    outcome = failed('handler', error)
  }
  if (outcome instanceof Promise) outcome.then(finish)
  else finish(outcome)
}

startSocketHost({ app: () => app, env, context })
