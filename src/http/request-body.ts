import type { IncomingMessage, ServerResponse } from 'node:http'

export const TOO_LARGE = Symbol('too large')

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
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<ArrayBuffer | null | typeof TOO_LARGE> {
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
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) {
        req.off('data', onData)
        req.pause()
        resolve(TOO_LARGE)
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('error', reject)
    req.once('end', () => {
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
