// A server the app binds to a fixed port as its module loads (a metrics port,
// a raw TCP server: HTTP servers are captured, listen-capture.ts) is still
// held by the older generation while a reload imports the new code: the new
// listen() failed with EADDRINUSE, and the port was up on every other save
// only (trial s24, finding 8). Under tsx watch or node --watch the old
// process is gone first. In a reload's generation, such a listen() is tried
// again, quietly, until the older generations have ended (the main thread
// says when) and a margin more; then an EADDRINUSE is the app's to see.
import type { Server } from 'node:net'
import { PORT_STILL_IN_USE } from '../src/pool/protocol.js'

/** Between two tries: the older generation usually ends within a few tens of ms of the swap. */
const RETRY_MS = 25
/** After the older generations ended: the main thread's word reaches this worker on its lane, its own listen() may be one try behind. */
const MARGIN_MS = 1_000
/** Without that word (an older worker that ignored terminate()): the retiring generation's 5 s grace and its cleanup, and more. */
const MOST_MS = 10_000

/** This worker imported a reload's bundle (an older generation may run): since when. */
let besideSince: number | undefined
/** When the main thread said the older generations had ended. */
let endedAt: number | undefined

/** This worker imports a reload's bundle, beside the generation serving until the swap. */
export function besideOlder(): void {
  besideSince = performance.now()
}

/** The older generations have ended (a 'older-ended' control message). */
export function olderEnded(): void {
  endedAt = performance.now()
}

function olderMayHold(): boolean {
  if (besideSince === undefined) return false
  const now = performance.now()
  return endedAt !== undefined ? now - endedAt < MARGIN_MS : now - besideSince < MOST_MS
}

/**
 * Server.prototype.listen (`listen`) on `server` with `args`: tried again on
 * EADDRINUSE while an older generation may hold a fixed port. Otherwise
 * exactly the call it was.
 */
export function listenRetrying(server: Server, listen: (...args: unknown[]) => Server, args: unknown[]): Server {
  if (!olderMayHold() || !fixedPort(args)) return listen.apply(server, args)
  const callback = typeof args.at(-1) === 'function' ? (args.pop() as () => void) : undefined
  // Once, whichever try binds: as listen() itself would add it.
  if (callback) server.once('listening', callback)
  const emit = server.emit
  let retried = false
  let timer: NodeJS.Timeout | undefined
  // The server's own emit, not an 'error' listener: an unhandled EADDRINUSE given up on stays one, as without hotcell.
  server.emit = function (this: Server, event: string | symbol, ...rest: unknown[]): boolean {
    const error = rest[0] as (Error & { code?: unknown }) | undefined
    if (event === 'error' && error?.code === 'EADDRINUSE') {
      if (olderMayHold()) {
        retried = true
        timer = setTimeout(() => listen.apply(server, args), RETRY_MS)
        return true
      }
      if (retried) error.message += PORT_STILL_IN_USE
    }
    // Closed meanwhile (its generation's SIGTERM listener, say): no more tries.
    if (event === 'close') clearTimeout(timer)
    if (event === 'error' || event === 'listening' || event === 'close') server.emit = emit
    return emit.apply(this, [event, ...rest] as Parameters<Server['emit']>)
  } as Server['emit']
  return listen.apply(server, args)
}

/** listen(port, …) or listen({ port }) with a port other than 0: not a path, a handle, or an ephemeral port. */
function fixedPort(args: unknown[]): boolean {
  const [first] = args
  const port = typeof first === 'object' && first !== null ? (first as { port?: unknown }).port : first
  return (typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port))) && Number(port) > 0
}
