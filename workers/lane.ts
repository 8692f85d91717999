// The worker's end of its request lane (src/pool/lane.ts is the main
// thread's): requests arrive in batches, one message per main-thread turn,
// and replies leave the same way, one message per turn of this thread.
import type { MessagePort } from 'node:worker_threads'
import {
  PROGRESS,
  REPLY,
  REPLY_FIELDS,
  REQUEST_FIELDS,
  type ErrorData,
  type FailurePhase,
  type ControlMessage,
  type LaneAbort,
  type LaneControl,
  type LaneRequests,
  type RequestTask,
  type WorkerMessage,
} from '../src/pool/protocol.js'
import { exitNote } from './exit-note.js'
import { ARENA_MIN, type ArenaMessage } from '../src/pool/arena-layout.js'
import { lend } from './body-arena.js'
import { copyBytes } from './byte-copy.js'
const { MessageChannel, parentPort, receiveMessageOnPort, threadId } = process.getBuiltinModule('node:worker_threads')

/** A request as the lane delivers it: `slot` is where the main thread keeps it, and what replies name. */
export interface LaneTask extends RequestTask {
  slot: number
}

export interface LaneHandlers {
  request(task: LaneTask): void
  abort(message: LaneAbort): void
  control(message: ControlMessage): void
}

let outbox: unknown[] = []
let transfer: Array<ArrayBuffer | MessagePort> = []
let flushing = false
let port: MessagePort | undefined
let receive: (message: LaneRequests | LaneAbort | LaneControl) => void = () => {}
const progress = new Int32Array(new SharedArrayBuffer(12))
let seq = 0

/** Open the lane and tell the main thread about it; call once, before anything else is posted. */
export function openLane(handlers: LaneHandlers): void {
  const channel = new MessageChannel()
  port = channel.port1
  const message: WorkerMessage = { type: 'hotcell:lane', threadId, port: channel.port2, progress: progress.buffer as SharedArrayBuffer, exitNote }
  parentPort!.postMessage(message, [channel.port2])
  receive = (message: LaneRequests | LaneAbort | LaneControl) => {
    if (!Array.isArray(message)) return 'control' in message ? handlers.control(message.control) : handlers.abort(message)
    for (let i = 0; i < message.length; i += REQUEST_FIELDS) {
      handlers.request({
        id: message[i] as number,
        slot: message[i + 1] as number,
        method: message[i + 2] as string,
        url: message[i + 3] as string,
        headers: message[i + 4] as string[],
        body: message[i + 5] as ArrayBuffer | null,
        remoteAddress: message[i + 6] as string,
        remotePort: message[i + 7] as number,
      })
    }
  }
  port.on('message', receive)
}

// stayAwake() is running: a second call (a 'stay-awake' read by the spin) moves its end (0: now).
let awakeUntil = 0
let spinning = false
let extended = false

/**
 * Keep this thread running for up to `ms`, or until the lane brings a
 * message, which is then handled at once. Called when this worker has just
 * told the main thread it imported a reload's bundle: the requests held
 * during the reload come next, a few tenths of a millisecond later. A thread
 * gone back to waiting for them took 0.3-0.4 ms to wake on this 2-core VM
 * (Node 20), a fifth of the time from the swap to the first new response.
 * And when a reload's standby is told esbuild's result is in: its bundle
 * comes once the main thread has written and checked it (0.6-1 ms). The
 * cost when none comes: `ms` of one core.
 */
export function stayAwake(ms: number): void {
  awakeUntil = performance.now() + ms
  if (spinning) {
    extended = true
    return
  }
  spinning = true
  try {
    while (performance.now() < awakeUntil) {
      const got = receiveMessageOnPort(port!)
      if (!got) continue
      extended = false
      receive(got.message)
      // Another 'stay-awake' (a follow-up build's, or 0: back to sleep): it goes on until its end.
      if (!extended) return
    }
  } finally {
    spinning = false
    awakeUntil = 0
  }
}

/**
 * Handle what is on the lane already, without going back to the event loop
 * first: called as the bundle's import ends. The requests a reload's standby
 * takes while it imports (src/reload/save-hold.ts) mostly arrive during the
 * import, which does not let the loop run: read after it, they began 0.1-0.3
 * ms later.
 */
export function drainLane(): void {
  for (let got = receiveMessageOnPort(port!); got; got = receiveMessageOnPort(port!)) receive(got.message)
}

/** A ctx.waitUntil() promise was given (1) or settled (-1): a retiring generation waits for them. */
export function backgroundWork(delta: 1 | -1): void {
  Atomics.add(progress, PROGRESS.waiting, delta)
}

/**
 * The next request of the lane begins now (in lane order): the watchdog reads
 * this when a request runs out of time. False: the main thread took it back
 * before it began (src/pool/lane.ts takeBack(), which leaves "taken back up
 * to n" as -n - 1): it is served elsewhere, and not here.
 */
export function started(id: number): boolean {
  const next = ++seq
  for (;;) {
    const now = Atomics.load(progress, PROGRESS.seq)
    if (now < 0 && next <= -now - 1) return false
    if (Atomics.compareExchange(progress, PROGRESS.seq, now, next) === now) break
  }
  Atomics.store(progress, PROGRESS.id, id)
  return true
}

// Replies that go out at once, without waiting for the end of the turn.
// Under load a batch holds every connection's request (40-50 of 50), and the
// main thread waited for all their replies before writing the first: the
// two threads took turns instead of working at once. Sending every 8th
// lets it write responses while this thread answers the rest: wrk -c50 on
// the hello handler, 8 interleaved rounds, 0.72x plain node:http before,
// 0.78x after (4: 0.77x, 16: no gain).
const FLUSH_AT = 8 * REPLY_FIELDS

// REPLY_FIELDS (protocol.ts) entries per reply: the kind, the slot and id, four more.
function queue(kind: number, to: LaneTask, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void {
  outbox.push(kind, to.slot, to.id, a, b, c, d)
  if (outbox.length >= FLUSH_AT) flush()
  else if (!flushing) {
    flushing = true
    // After every handler that finished in this turn (microtasks included).
    setImmediate(flush)
  }
}

/** Send the replies queued so far now, not at the end of this turn (exported as flushReplies). */
function flush(): void {
  flushing = false
  if (outbox.length === 0) return
  const batch = outbox
  const moved = transfer
  outbox = []
  transfer = []
  port!.postMessage(batch, moved)
}

// A string up to this size travels in the reply when the arena does not take
// it (structured clone costs what a transfer does); a larger one as bytes,
// transferred.
const INLINE_LIMIT = 64 * 1024
const encoder = new TextEncoder()

/**
 * What the reply carries for a complete body: the number of its first slot
 * in the body arena (body-arena.ts), or the body itself, bytes transferred.
 * An ArrayBuffer is this thread's own and is transferred as it is.
 */
function carried(body: ArrayBuffer | Uint8Array | string | null, headers: string[]): ArrayBuffer | string | number | null {
  if (body === null) return null
  if (body instanceof ArrayBuffer) {
    transfer.push(body)
    return body
  }
  const size = typeof body === 'string' ? body.length : body.byteLength
  // Not HTML: live reload rewrites a page on the main thread (browser-reload.ts), from the bytes the reply carries.
  if (size >= ARENA_MIN && !isHtml(headers)) {
    const slot = lend(body, announceArena)
    if (slot !== undefined) return slot
  }
  if (typeof body === 'string' && size <= INLINE_LIMIT) return body
  const bytes = (typeof body === 'string' ? encoder.encode(body) : copyBytes(body)).buffer as ArrayBuffer
  transfer.push(bytes)
  return bytes
}

function isHtml(headers: string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === 'content-type') return /html/i.test(headers[i + 1]!)
  return false
}

/** The arena's first use: main learns of it before the reply naming a slot of it, on the same port. */
function announceArena(message: ArenaMessage): void {
  port!.postMessage(message)
}

export const reply = {
  /** `body`: an ArrayBuffer is transferred; a Uint8Array is copied (the response may still be read). */
  response(to: LaneTask, status: number, statusText: string, headers: string[], body: ArrayBuffer | Uint8Array | string | null): void {
    queue(REPLY.response, to, status, statusText, headers, carried(body, headers))
  },
  failed(to: LaneTask, phase: FailurePhase, error: ErrorData): void {
    queue(REPLY.failed, to, phase, error)
  },
  /** The response streams over `stream`: sent at once, the stream's first message follows it. */
  stream(to: LaneTask, stream: MessagePort): void {
    transfer.push(stream)
    queue(REPLY.stream, to, stream)
    flush()
  },
  streamed(to: LaneTask): void {
    queue(REPLY.streamed, to)
  },
}

export { flush as flushReplies }

/**
 * Build the reply to a rehearsal's request (workers/rehearsal.ts) and drop
 * it: a standby's first real reply was built cold, 0.25-0.4 ms (Node 20,
 * node:http app, the first response of each reload). Only what this adds is
 * dropped, and nothing is sent: not when the reply would fill the batch, nor
 * for a body the arena would take.
 */
export function rehearseReply(task: LaneTask, status: number, statusText: string, headers: string[], body: ArrayBuffer | Uint8Array | string | null): void {
  const queued = outbox.length
  const moved = transfer.length
  if (queued + REPLY_FIELDS >= FLUSH_AT) return
  // Not one the body arena would take: the slots it lent would never be given back.
  const size = body === null ? 0 : typeof body === 'string' ? body.length : body.byteLength
  if (size >= ARENA_MIN) return
  // A copy: an ArrayBuffer given to carried() is listed for transfer, and this one must stay usable.
  reply.response(task, status, statusText, [...headers], body instanceof ArrayBuffer ? body.slice(0) : body)
  outbox.length = queued
  transfer.length = moved
}
