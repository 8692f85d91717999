// A response whose body is in a worker's body arena (src/pool/body-arena.ts):
// the socket is given a view of the arena, not a copy, so the slots go back
// to the worker only once the socket is done with those bytes. Giving them
// back sooner would let the worker write the next body over bytes still
// waiting in the socket's queue.
import type { LentBody } from '../pool/body-arena.js'
import type { HeadersOut, ResponseOut } from './exchange.js'
import { LeanResponse } from './lean/lean-response.js'

/** Send the head and the lent body; the body's slots are released whatever happens. */
export function sendLent(res: ResponseOut, status: number, statusText: string | undefined, headers: HeadersOut, body: LentBody): void {
  body.sent = true
  if (res instanceof LeanResponse) {
    try {
      res.writeHead(status, statusText, headers)
    } catch (error) {
      body.release()
      throw error
    }
    // Its socket's write callback: after the write, or after a destroyed socket dropped it.
    res.end(body.bytes, body.release)
    return
  }
  // node:http: the callback of end() comes with 'finish', which a connection
  // that dies first never emits. 'close' always comes, after 'finish' (every
  // write done) or after the socket closed (libuv completes or cancels every
  // write before that).
  res.once('close', body.release)
  res.writeHead(status, statusText, headers)
  res.end(body.bytes)
}
