// Why a worker ended, as data: piscina and Node report it as an Error whose
// message holds the exit code, or with ERR_WORKER_OUT_OF_MEMORY.
import type { ErrorData } from './protocol.js'

/** The death of a request's workers when their generation ended (a reload's grace ran out, or shutdown). */
export const WORKERS_ENDED = 'WorkersEnded'

/** Why a generation ended under its requests: the start of a WorkersEnded message, and what its page advises. */
export const ENDED_BECAUSE = {
  reload: { cause: 'hotcell reloaded the code while this request ran, and it', hint: 'Retry the request: the new code serves it.' },
  broken: { cause: 'the code changed (it no longer builds or loads) while this request ran, and it', hint: 'Retry the request once the code builds.' },
  shutdown: { cause: 'hotcell was shutting down, and this request', hint: 'hotcell stopped before this request finished.' },
} as const

/** piscina's rejection → data that names the cause (exit code, out of memory…). */
export function describeDeath(error: unknown, exitStack?: string, maxMemoryMb?: number): ErrorData {
  const e = error as { name?: string; message?: string; code?: unknown; stack?: string }
  const message = String(e?.message ?? error)
  const exit = /worker exited with code: (-?\d+)/.exec(message)
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      name: 'WorkerOutOfMemory',
      code: 'ERR_WORKER_OUT_OF_MEMORY',
      message: `${message}. The worker went over its heap limit (${maxMemoryMb ? `--max-memory ${maxMemoryMb} MiB` : "V8's default; set one with --max-memory"}) and was replaced.`,
    }
  }
  if (exit) {
    const code = Number(exit[1])
    const note = exitCall(exitStack)
    // process.kill(process.pid, …) would have ended the whole server: the worker ended instead.
    const instead = note?.call.startsWith('process.kill') ? ' In a worker it ends the worker, as process.exit() does; hotcell keeps serving.' : ''
    return {
      name: 'WorkerExited',
      code: `EXIT_${code}`,
      message: note
        ? `The worker thread exited with code ${code}: ${note.call} was called.${instead}`
        : `The worker thread exited with code ${code} (process.exit(${code}) in the handler or code it called, or it was terminated).`,
      ...(note ? { stack: `WorkerExited: ${note.call}\n${note.frames}` } : {}),
    }
  }
  return { name: e?.name ?? 'Error', message, ...(typeof e?.code === 'string' ? { code: e.code } : {}) }
}

/** A worker's exit note (workers/exit-note.ts): the call that ended it ("process.exit(7)") and the frames that say where. */
export function exitCall(note: string | undefined): { call: string; frames: string } | undefined {
  if (!note) return undefined
  const end = note.indexOf('\n')
  return end < 0 ? { call: note, frames: '' } : { call: note.slice(0, end), frames: note.slice(end + 1) }
}
