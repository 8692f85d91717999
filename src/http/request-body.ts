import type { IncomingMessage, ServerResponse } from 'node:http'

export const TOO_LARGE = Symbol('too large')
/** The client stopped sending the body: no byte of it for the idle deadline. */
export const STALLED = Symbol('stalled')

/**
 * How long a request body may go without a byte before it is answered 408
 * (nginx's client_body_timeout, 60 s there). A deadline between bytes, not on
 * the whole body: an upload over a slow link (a phone on Wi-Fi, DevTools'
 * "Slow 3G") takes as long as it takes, and a client that stopped sending
 * still lets go of its connection.
 */
export const BODY_IDLE_MS = 30_000

/**
 * Whether a request announces a body (a non-zero Content-Length, or chunking),
 * from its raw headers: a GET or HEAD rarely has one, and reading req.headers
 * would build Node's header object for every request.
 */
export function announcesBody(rawHeaders: string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true
    if (name.length === 14 && name.toLowerCase() === 'content-length' && rawHeaders[i + 1]!.trim() !== '0') return true
  }
  return false
}

/**
 * The request body as one exact-size ArrayBuffer that can be transferred to a
 * worker (a pooled Buffer's slab is not transferable on Node 20: postMessage
 * silently clones all 8 KiB of it; Node 21+ throws). Never holds more
 * than `limit` bytes: a declared or actual size over it yields TOO_LARGE.
 *
 * A client that sent `Expect: 100-continue` waits for `100 Continue` before it
 * uploads. The server leaves that interim response to us ('checkContinue'):
 * it is sent only here, once the body is wanted, so a declared size over the
 * limit gets its 413 without an invitation to upload first.
 *
 * No byte for `idleMs` yields STALLED. One timer per body, refreshed per chunk
 * (a chunk is up to 64 KiB): node:http's own requestTimeout is off (server.ts).
 */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  idleMs: number = BODY_IDLE_MS,
): Promise<ArrayBuffer | null | typeof TOO_LARGE | typeof STALLED> {
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(TOO_LARGE)
  // HTTP/1.1 announces a body by its length or chunking; HTTP/2 needs neither:
  // a stream that did not end with its headers has a body.
  const framed = req.headers['transfer-encoding'] !== undefined || (req as { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders === false
  if (declared === '0' || (declared === undefined && !framed)) {
    return Promise.resolve(null)
  }
  if (/^\s*100-continue\s*$/i.test(req.headers.expect ?? '')) res.writeContinue()
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    // Stops reading: the answer (413 or 408) closes the connection, the rest of the body is not wanted.
    const stop = (outcome: typeof TOO_LARGE | typeof STALLED) => {
      clearTimeout(idle)
      req.off('data', onData)
      req.pause()
      resolve(outcome)
    }
    const idle = setTimeout(() => stop(STALLED), idleMs)
    const onData = (chunk: Buffer) => {
      idle.refresh()
      size += chunk.byteLength
      if (size > limit) return stop(TOO_LARGE)
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('error', reject)
    // The client left: nothing to wait for.
    req.once('close', () => clearTimeout(idle))
    req.once('end', () => {
      clearTimeout(idle)
      if (size > limit) return
      if (size === 0) return resolve(null)
      const body = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        body.set(chunk, offset)
        offset += chunk.byteLength
      }
      resolve(body.buffer)
    })
  })
}
