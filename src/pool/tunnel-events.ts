// What a tunnel (socket-tunnel.ts) tells whoever opened it: the upgrade
// handler learns from these how the worker answered, or that it did not,
// and writes hotcell's own answer then.
import type { ErrorData, FailurePhase } from './protocol.js'

/** Why the worker gave no answer to the upgrade. */
export type NoAnswer =
  | { kind: 'failed'; phase: FailurePhase; error: ErrorData }
  /** The worker died. */
  | { kind: 'lost' }
  /** hotcell stopped the worker (a reload) before it answered. */
  | { kind: 'gone' }
  | { kind: 'timeout' }

export interface TunnelEvents {
  /** The worker's answer began: 101 (a WebSocket now) or another HTTP status. */
  onResponse(status: number): void
  /** No answer came; write one with `respond()`. */
  onNoAnswer(reason: NoAnswer): void
  /** hotcell sent a close frame itself (not the app, not the client). */
  onClosedByHotcell(code: number, reason: string): void
  /** The connection is gone; the tunnel is done. */
  onEnd(): void
}
