// The child's side of supervisor.ts: hand the listening socket to the
// supervisor, take it back after a restart, and ask for a restart (the
// config file changed). Inert unless the supervisor started this process.
import type { Server } from 'node:net'
import type { HeldAddress } from './held-address.js'

export type SupervisorMessage =
  | { type: 'hotcell:serving' } // child → parent; carries the listening socket the first time
  | { type: 'hotcell:need-socket' } // restarted child → parent, once it listens for the answer
  | { type: 'hotcell:socket' } // parent → restarted child; carries the listening socket
  | { type: 'hotcell:address'; address: HeldAddress } // child → parent once it serves: where the socket is bound
  | { type: 'hotcell:restart' } // child → parent: this process ends to be started again (the config file changed)
  | { type: 'hotcell:config-loading'; file: string | null } // child → parent: its config file is being loaded at start (null: done)
  | { type: 'hotcell:running'; requests: SlowRequest[] } // child → parent: its slow requests in flight, when that list changes (slow-requests.ts)

/** A request in flight for a while: `METHOD /path`, and since when (ms since the epoch, at the latest). */
export interface SlowRequest {
  label: string
  since: number
}

const supervised = process.env.HOTCELL_SUPERVISED === '1' && typeof process.send === 'function'

/**
 * After a restart: the listening socket the previous child bound, from the
 * supervisor, as the handle `server.listen()` takes. Undefined otherwise.
 */
export function inheritedSocket(): Promise<object> | undefined {
  if (!supervised || process.env.HOTCELL_INHERIT_SOCKET !== '1') return undefined
  return new Promise<object>((resolve) => {
    const onMessage = (message: SupervisorMessage, handle: unknown) => {
      if (message?.type !== 'hotcell:socket' || !handle) return
      process.off('message', onMessage)
      resolve(handle as object)
    }
    process.on('message', onMessage)
    // Ask only now: a message that arrives before anyone listens is lost.
    process.send!({ type: 'hotcell:need-socket' } satisfies SupervisorMessage)
  })
}

/** This process runs under the supervisor, which can start it again. */
export function isSupervised(): boolean {
  return supervised
}

/** Tell the supervisor where the socket it holds is bound: what a restarted process serves on (held-address.ts). */
export function reportAddress(address: HeldAddress): void {
  if (supervised && process.connected) process.send!({ type: 'hotcell:address', address } satisfies SupervisorMessage)
}

/**
 * At start, the config file's code runs on this process's main thread: one
 * that never finishes (a loop) leaves nothing here to say so. The supervisor
 * does, once `file` has been loading for a while (null: it has loaded).
 */
export function tellConfigLoading(file: string | null): void {
  if (supervised && process.connected) process.send!({ type: 'hotcell:config-loading', file } satisfies SupervisorMessage)
}

/** Tell the supervisor which slow requests run now (none: an empty list). */
export function tellRunning(requests: SlowRequest[]): void {
  if (supervised && process.connected) process.send!({ type: 'hotcell:running', requests } satisfies SupervisorMessage)
}

/**
 * Ask the supervisor to start a new server process as soon as this one ends:
 * at once, not counted as a crash. Resolves once the message is sent, so that
 * it comes before this process exits.
 */
export function requestRestart(): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!supervised || !process.connected) return reject(new Error('not running under the supervisor'))
    process.send!({ type: 'hotcell:restart' } satisfies SupervisorMessage, undefined, undefined, (error) => (error ? reject(error) : resolve()))
  })
}

/**
 * Tell the supervisor this process serves, handing it the bound socket the
 * first time. It is the socket's handle, not a server: the supervisor keeps
 * the port open without ever accepting a connection on it.
 */
export function reportServing(server: Server, inherited: boolean): void {
  if (!supervised) return
  const handle = inherited ? undefined : (server as unknown as { _handle: object })._handle
  process.send!({ type: 'hotcell:serving' } satisfies SupervisorMessage, handle as never)
}

let orphaned: (() => void) | undefined

/**
 * Call `gone` when the supervisor dies (SIGKILL, or the SIGHUP of a closed
 * terminal; the IPC channel then closes): an orphan serves nobody who asked.
 * `gone` ends the process at once: a graceful shutdown waited for requests in
 * flight (5 s) and for a stuck import (up to its 10 s limit, a core busy).
 * Listened for from the start, not from when the socket is bound.
 */
export function followSupervisor(gone: () => void): void {
  if (!supervised) return
  orphaned = gone
  // The listener keeps the channel, and so the process, alive: leaveSupervisor() removes it.
  if (process.connected) process.once('disconnect', gone)
  else gone()
}

/** Once the server has closed: let go of the IPC channel, which would keep this process alive. */
export function leaveSupervisor(): void {
  if (!supervised) return
  if (orphaned) process.off('disconnect', orphaned)
  process.removeAllListeners('message')
  if (process.connected) process.disconnect()
}
