// Where the app opened a connection while its module was importing. A
// connection refused at import (a database not started: `await connect()` at
// the top level) fails with an error whose stack is all Node's (net's
// callback), so the page named no line of the app: "while importing
// src/db.ts" was all (trial s24, finding 10). Node publishes each client
// socket on the `net.client.socket` channel from inside net.connect(), on the
// stack of the app's call: that stack is kept, and given to the error the
// socket emits, for the import's error page to name.
import type { Socket } from 'node:net'
const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')

const CHANNEL = 'net.client.socket'
const SITE = Symbol('hotcell.connectSite')
/** Deep enough to reach the app's line under a client library's own calls. */
const SITE_FRAMES = 40

// Subscribed once, by a standby while it waits (installConnectWatch), and
// then only switched on and off: a subscribe() and unsubscribe() around each
// import cost a reload's worker 0.1-0.2 ms (cpu profile, Node 20). A socket
// opened while nothing imports costs a call that returns at once.
let subscribed = false
let watching = false

/** Subscribe now, so that watchConnects() costs nothing. */
export function installConnectWatch(): void {
  if (subscribed) return
  subscribed = true
  subscribe(CHANNEL, onSocket)
}

/** Stamp the errors of each client socket opened from now on with where it was opened; the returned function stops. */
export function watchConnects(): () => void {
  installConnectWatch()
  watching = true
  return () => {
    watching = false
  }
}

/** The stack lines ("    at …") of the call that opened the socket `error` came from, if one opened during an import did. */
export function connectSite(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? ((error as Record<symbol, unknown>)[SITE] as string | undefined) : undefined
}

function onSocket(message: unknown): void {
  if (!watching) return
  const socket = (message as { socket?: Socket }).socket
  if (!socket) return
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = SITE_FRAMES
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = limit
  // This function's frame and the channel's: what called net.connect() follows.
  const lines = stack.split('\n').filter((line) => line.startsWith('    at '))
  const site = lines.slice(lines.findIndex((line) => line.includes('Channel.publish')) + 1).join('\n')
  const emit = socket.emit
  // The socket's own emit, not a listener: an 'error' listener would change what an unhandled error does.
  socket.emit = function (this: Socket, event: string | symbol, ...args: unknown[]): boolean {
    const error = args[0]
    if (event === 'error' && error instanceof Error && !Object.hasOwn(error, SITE)) Object.defineProperty(error, SITE, { value: site })
    return emit.apply(this, [event, ...args] as Parameters<Socket['emit']>)
  } as Socket['emit']
}
