import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web'
import { MessageChannel, parentPort, threadId } from 'node:worker_threads'
import type { StreamMessage, StreamReply, TaskResult } from '../src/pool/protocol.js'
import { toErrorData } from './error-data.js'

// Bodies up to this size travel inside the task result. Below ~64 KiB a
// structured clone costs what a transfer does (research §2c), and larger
// bodies go over the stream port where every chunk is transferred.
const INLINE_LIMIT = 64 * 1024
// Chunks the worker may send before main acknowledges one: bounds what a slow
// client can make the process buffer.
const CREDITS = 8

type Chunk = ReadableStreamReadResult<unknown>
const NOT_YET: unique symbol = Symbol('not yet')

/** What the main thread can ask of a response in flight. */
export interface ResponseControl {
  /** The client went away: stop producing. */
  cancel(): void
}

/**
 * Send `response` to the main thread: inline if its body is already complete
 * and small, otherwise over a MessagePort with credit-based flow control. The
 * returned promise settles when the body has been fully handed over.
 */
export async function respond(
  id: number,
  response: Response,
  abort: AbortController,
  control: (c: ResponseControl) => void,
): Promise<TaskResult> {
  const headers = flattenHeaders(response.headers)
  const head = { status: response.status, statusText: response.statusText, headers }
  const reader = response.body?.getReader() as ReadableStreamDefaultReader<unknown> | undefined
  if (!reader) return { kind: 'response', threadId, ...head, body: null }

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
    if (result.done) return { kind: 'response', threadId, ...head, body: concat(early, size) }
    const bytes = toBytes(result.value)
    early.push(bytes)
    size += bytes.byteLength
    if (size > INLINE_LIMIT) break
  }
  return stream(id, head, reader, early, pending, abort, control)
}

async function stream(
  id: number,
  head: { status: number; statusText: string; headers: string[] },
  reader: ReadableStreamDefaultReader<unknown>,
  early: Uint8Array[],
  pending: Promise<Chunk> | undefined,
  abort: AbortController,
  control: (c: ResponseControl) => void,
): Promise<TaskResult> {
  const { port1: port, port2 } = new MessageChannel()
  parentPort!.postMessage({ type: 'hotcell:stream', id, port: port2 }, [port2])
  const post = (message: StreamMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer)

  let credits = CREDITS
  let cancelled = false
  let wake: (() => void) | undefined
  // Both the stream port and the control channel can report the client
  // leaving, in either order; whichever comes first aborts request.signal
  // too, or the task could end before the other message arrives.
  const cancel = () => {
    if (cancelled) return
    cancelled = true
    wake?.()
    const reason = new DOMException('The client disconnected', 'AbortError')
    abort.abort(reason)
    reader.cancel(reason).catch(() => {})
  }
  control({ cancel })
  port.on('message', (reply: StreamReply) => {
    if (reply.type === 'ack') {
      credits++
      wake?.()
    } else cancel()
  })
  // Main closes its end when the socket dies; treat it as a cancel.
  port.on('close', cancel)

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
    port.close()
  }
  return { kind: 'streamed', threadId }
}

/** Headers as a flat list; Node's Headers iterates each Set-Cookie separately. */
function flattenHeaders(headers: Headers): string[] {
  const flat: string[] = []
  for (const [name, value] of headers) flat.push(name, value)
  return flat
}

/**
 * A fresh, exactly-sized copy: transferring a view's buffer would ship (or
 * detach) everything around it, and the handler may reuse its chunk.
 */
function toBytes(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk)
  if (ArrayBuffer.isView(chunk)) {
    const copy = new Uint8Array(chunk.byteLength)
    copy.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    return copy
  }
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0))
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
