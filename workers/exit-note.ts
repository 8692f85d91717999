// process.exit() in a worker ends its thread at once: a message posted on the
// way out is not sure to arrive. So what was called, and where, is written
// into memory the main thread shares (handed over with the lane, lane.ts), and
// read there when the worker's exit is handled: the 502 names the .ts line.
import { EXIT_NOTE_BYTES } from '../src/pool/protocol.js'

const { signals } = process.getBuiltinModule('node:os').constants

export const exitNote = new SharedArrayBuffer(EXIT_NOTE_BYTES)

let installed = false

// What process.kill(process.pid, signal) would do to the whole server (a
// handler's own "shut down" route): it ends this worker instead, as
// process.exit() does. Signals that do not end a process pass through: 0 (a
// check), SIGUSR1 (Node's inspector), job control.
const ENDING = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGKILL', 'SIGABRT', 'SIGUSR2', 'SIGALRM'])

/**
 * Record the stack of every process.exit() call in this thread, and make
 * process.kill(process.pid, signal) end this thread the same way, named as
 * what it was. Idempotent.
 */
export function recordExits(): void {
  if (installed) return
  installed = true
  const exit = process.exit.bind(process)
  const kill = process.kill.bind(process)
  // Its first line says what was called; the frames from the caller on follow,
  // mapped to the .ts source (the worker has source maps on).
  const note = (call: string, caller: (...args: never[]) => unknown): void => {
    const holder: { stack?: string } = {}
    Error.captureStackTrace(holder, caller)
    const frames = (holder.stack ?? '').split('\n').slice(1).join('\n')
    const bytes = new TextEncoder().encode(`${call}\n${frames}`).subarray(0, EXIT_NOTE_BYTES - 4)
    new Uint8Array(exitNote, 4).set(bytes)
    Atomics.store(new Int32Array(exitNote, 0, 1), 0, bytes.length)
  }
  const recordedExit = (code?: number | string | null): never => {
    note(`process.exit(${code ?? ''})`, recordedExit)
    return exit(code)
  }
  const recordedKill = (pid: number, signal: string | number = 'SIGTERM'): true => {
    const name = typeof signal === 'number' ? signalName(signal) : signal
    if (Number(pid) !== process.pid || !name || !ENDING.has(name)) return kill(pid, signal)
    note(`process.kill(process.pid, '${name}')`, recordedKill)
    return exit(128 + (signals[name as keyof typeof signals] ?? 0))
  }
  process.exit = recordedExit as typeof process.exit
  process.kill = recordedKill as typeof process.kill
}

function signalName(signo: number): string | undefined {
  return Object.keys(signals).find((name) => signals[name as keyof typeof signals] === signo)
}
