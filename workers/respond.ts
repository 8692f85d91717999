import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web'
import type { MessagePort } from 'node:worker_threads'
import { CLIENT_LEFT_REASON, STREAM_ENDED_REASONS, type ErrorData, type FailurePhase, type StreamMessage, type StreamReply } from '../src/pool/protocol.js'
import { toErrorData } from './error-data.js'
import { fastParts, nativeResponse, type FastParts } from './fast-response.js'
import { flattenHeaders } from './header-list.js'
import { copyBytes } from './byte-copy.js'
const { MessageChannel } = process.getBuiltinModule('node:worker_threads')

// A body that is complete already is handed to the lane (lane.ts), which
// puts it in the body arena or the reply; one still being produced after
// INLINE_LIMIT bytes goes over a stream port where every chunk is transferred.

const INLINE_LIMIT = 64 * 1024
// Chunks the worker may send before main acknowledges one: bounds what a slow
// client can make the process buffer.
const CREDITS = 8

type Chunk = ReadableStreamReadResult<unknown>
const NOT_YET: unique symbol = Symbol('not yet')

/** What a request comes to, in the worker. */
export type Outcome =
  /** `body`: an ArrayBuffer is this thread's to transfer; a Uint8Array is not (the lane copies it). */
  | { kind: 'response'; status: number; statusText: string; headers: string[]; body: ArrayBuffer | Uint8Array | string | null }
  /** Head and body went over the stream port. */
  | { kind: 'streamed' }
  | { kind: 'failed'; phase: FailurePhase; error: ErrorData }

/** What the main thread can ask of a response in flight. */
export interface ResponseControl {
  /** The client went away: stop producing. */
  cancel(): void
}

/**
 * Hand `response` to the main thread: inline if its body is already complete
 * (a string or bytes given to `new Response`, or a stream that has ended by
 * now), otherwise over a MessagePort (`announce`) with credit-based flow
 * control. The outcome settles when the body has been fully handed over.
 */
export function respond(
  response: Response,
  abort: (reason: unknown) => void,
  control: (c: ResponseControl) => void,
  announce: (port: MessagePort) => void,
): Outcome | Promise<Outcome> {
  const parts = fastParts(response)
  if (parts) return asGiven(parts)
  return respondNative(nativeResponse(response), abort, control, announce)
}

/**
 * The response head and body as given, when `response` is a FastResponse
 * never materialized; undefined otherwise. For an adapter in the same thread
 * as its server: the header list is its own to change.
 */
export function givenResponse(response: Response): Given | undefined {
  const parts = fastParts(response)
  if (!parts) return undefined
  const given = fromParts(parts)
  return parts.own ? given : { ...given, headers: given.headers.slice() }
}

type Given = { kind: 'response'; status: number; statusText: string; headers: string[]; body: ArrayBuffer | string | null }

/**
 * A FastResponse never materialized: its parts (headers checked and copied
 * at construction), no stream made, the body as it is. The response may
 * still be read: the lane copies the bytes it sends.
 */
function asGiven(parts: FastParts): Extract<Outcome, { kind: 'response' }> {
  const headers = parts.own ? flattenHeaders(parts.own) : parts.headers
  return { kind: 'response', status: parts.status, statusText: parts.statusText, headers, body: parts.body }
}

/** As asGiven, for an adapter in this thread: a large string as bytes, bytes copied. */
function fromParts(parts: FastParts): Given {
  const headers = parts.own ? flattenHeaders(parts.own) : parts.headers
  const body = parts.body
  if (typeof body === 'string') {
    if (body.length > INLINE_LIMIT)
      return { kind: 'response', status: parts.status, statusText: parts.statusText, headers, body: new TextEncoder().encode(body).buffer as ArrayBuffer }
    return { kind: 'response', status: parts.status, statusText: parts.statusText, headers, body }
  }
  const bytes = body === null ? null : (copyBytes(body).buffer as ArrayBuffer)
  return { kind: 'response', status: parts.status, statusText: parts.statusText, headers, body: bytes }
}

async function respondNative(
  response: Response,
  abort: (reason: unknown) => void,
  control: (c: ResponseControl) => void,
  announce: (port: MessagePort) => void,
): Promise<Outcome> {
  const headers = flattenHeaders(response.headers)
  const head = { status: response.status, statusText: response.statusText, headers }
  const reader = response.body?.getReader() as ReadableStreamDefaultReader<unknown> | undefined
  if (!reader) return { kind: 'response', ...head, body: null }

  // Drain what is already available without waiting, as @hono/node-server
  // does: most responses are complete by now and skip the stream machinery.
  const early: Uint8Array[] = []
  let size = 0
  let pending: Promise<Chunk> | undefined
  for (;;) {
    const read = reader.read()
    const result: Chunk | typeof NOT_YET = await Promise.race([read, Promise.resolve().then((): typeof NOT_YET => NOT_YET)])
    if (result === NOT_YET) {
      pending = read
      break
    }
    if (result.done) return { kind: 'response', ...head, body: concat(early, size) }
    const bytes = toBytes(result.value)
    early.push(bytes)
    size += bytes.byteLength
    if (size > INLINE_LIMIT) break
  }
  return stream(head, reader, early, pending, abort, control, announce)
}

async function stream(
  head: { status: number; statusText: string; headers: string[] },
  reader: ReadableStreamDefaultReader<unknown>,
  early: Uint8Array[],
  pending: Promise<Chunk> | undefined,
  abort: (reason: unknown) => void,
  control: (c: ResponseControl) => void,
  announce: (port: MessagePort) => void,
): Promise<Outcome> {
  const { port1: port, port2 } = new MessageChannel()
  announce(port2)
  const post = (message: StreamMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer)

  let credits = CREDITS
  let cancelled = false
  // The stream is over on this side: closing its own port fires 'close' here too, which is not the client leaving.
  let over = false
  let wake: (() => void) | undefined
  // Both the stream port and the control channel can report the client
  // leaving, in either order; whichever comes first aborts request.signal
  // too, or the task could end before the other message arrives.
  const cancel = (ended?: keyof typeof STREAM_ENDED_REASONS) => {
    if (cancelled || over) return
    cancelled = true
    wake?.()
    const { message, name } = ended ? STREAM_ENDED_REASONS[ended] : CLIENT_LEFT_REASON
    const reason = new DOMException(message, name)
    abort(reason)
    reader.cancel(reason).catch(() => {})
  }
  control({ cancel: () => cancel() })
  port.on('message', (reply: StreamReply) => {
    if (reply.type === 'ack') {
      credits++
      wake?.()
    } else cancel(reply.ended)
  })
  // Main closes its end when the socket dies; treat it as a cancel.
  port.on('close', () => cancel())

  const send = async (bytes: Uint8Array) => {
    while (credits === 0 && !cancelled) await new Promise<void>((r) => (wake = r))
    wake = undefined
    if (cancelled) return
    credits--
    post({ type: 'chunk', data: bytes }, [bytes.buffer as ArrayBuffer])
  }

  post({ type: 'head', ...head })
  try {
    for (const bytes of early) await send(bytes)
    for (;;) {
      if (cancelled) break
      const result = await (pending ?? reader.read())
      pending = undefined
      if (result.done) break
      await send(toBytes(result.value))
    }
    if (!cancelled) post({ type: 'end' })
  } catch (error) {
    if (!cancelled) post({ type: 'error', error: toErrorData(error) })
  } finally {
    over = true
    port.close()
  }
  return { kind: 'streamed' }
}

/**
 * A fresh, exactly-sized copy: transferring a view's buffer would ship (or
 * detach) everything around it, and the handler may reuse its chunk.
 */
function toBytes(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk)
  if (ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer) return copyBytes(chunk)
  throw new TypeError(`A response body chunk must be a Uint8Array or a string; got ${typeof chunk}`)
}

function concat(chunks: Uint8Array[], size: number): ArrayBuffer | null {
  if (chunks.length === 0) return new ArrayBuffer(0)
  if (chunks.length === 1) return chunks[0]!.buffer as ArrayBuffer
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out.buffer
}
