// A worker that terminate() does not end. Node ends a worker by asking V8 to
// stop its JavaScript; on Node 24.22 a loop that allocates arrays past the
// heap limit set by --max-memory keeps running after terminate() (reproduced
// with a bare Worker and resourceLimits, no hotcell code: still alive 4 s
// after the call, its memory growing ~100 MB/s), and the process cannot exit
// either, since Node joins every thread first. Nothing in the process can
// end that thread: the process has to end.
import type { Worker } from 'node:worker_threads'

/** How long a terminated worker has to exit before it counts as unstoppable. */
export const UNSTOPPABLE_MS = 5_000

/** What the terminal says of a worker of `generation` that ignored terminate(). */
export function unstoppableMessage(generation: string, threadId: number): string {
  return (
    `hotcell: worker ${threadId} of ${generation} did not stop within ${UNSTOPPABLE_MS / 1000} s of being terminated. ` +
    'Its thread keeps running, with its memory, until this process ends: nothing inside a process can end a thread that ignores terminate() ' +
    '(on Node 24, a loop that allocates arrays past --max-memory does this).'
  )
}

/** Call `then` if `worker`, just terminated, has not exited `ms` from now. */
export function whenUnstoppable(worker: Worker, then: () => void, ms = UNSTOPPABLE_MS): void {
  // threadId reads -1 once the worker has exited.
  if (worker.threadId === -1) return
  const timer = setTimeout(then, ms)
  // The worker keeps the process alive as long as it runs; this timer must not on its own.
  timer.unref()
  worker.once('exit', () => clearTimeout(timer))
}
