// The child's side of supervisor.ts: share the listening socket with the
// supervisor, take it back after a restart, and serve the connections the
// supervisor accepted. Inert unless the supervisor started this process.
import type { Server, Socket } from 'node:net'

export type SupervisorMessage =
  | { type: 'hotcell:serving' } // child → parent; carries the listening socket the first time
  | { type: 'hotcell:need-socket' } // restarted child → parent, once it listens for the answer
  | { type: 'hotcell:socket' } // parent → restarted child; carries the listening socket
  | { type: 'hotcell:connection'; id: number } // parent → child; carries one accepted connection
  | { type: 'hotcell:took'; id: number } // child → parent: the connection is in this process now

const supervised = process.env.HOTCELL_SUPERVISED === '1' && typeof process.send === 'function'

/** After a restart: the socket the previous child bound, from the supervisor. Undefined otherwise. */
export function inheritedSocket(): Promise<Server> | undefined {
  if (!supervised || process.env.HOTCELL_INHERIT_SOCKET !== '1') return undefined
  return new Promise<Server>((resolve) => {
    const onMessage = (message: SupervisorMessage, handle: unknown) => {
      if (message?.type !== 'hotcell:socket' || !handle) return
      process.off('message', onMessage)
      resolve(handle as Server)
    }
    process.on('message', onMessage)
    // Ask only now: a message that arrives before anyone listens is lost.
    process.send!({ type: 'hotcell:need-socket' } satisfies SupervisorMessage)
  })
}

/** Tell the supervisor this process serves (sharing the socket it bound), and take the connections it passes on. */
export function reportServing(server: Server, inherited: boolean): void {
  if (!supervised) return
  process.on('message', (message: SupervisorMessage, handle: unknown) => {
    if (message?.type !== 'hotcell:connection' || !handle) return
    process.send!({ type: 'hotcell:took', id: message.id } satisfies SupervisorMessage)
    server.emit('connection', handle as Socket)
  })
  process.send!({ type: 'hotcell:serving' } satisfies SupervisorMessage, inherited ? undefined : server)
  process.once('disconnect', orphaned)
}

// The supervisor is gone (killed): shut down rather than live on as an orphan.
const orphaned = () => process.kill(process.pid, 'SIGTERM')

/** Once the server has closed: let go of the IPC channel, which would keep this process alive. */
export function leaveSupervisor(): void {
  if (!supervised) return
  process.off('disconnect', orphaned)
  process.removeAllListeners('message')
  if (process.connected) process.disconnect()
}
