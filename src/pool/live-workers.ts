// Every worker thread this process runs (worker-pool.ts adds them), for the
// command's "stop now" (cli/exit-now.ts). process.exit() joins every thread
// before the process ends, and one that ignores terminate() (a Node 24
// allocation loop past --max-memory, unstoppable-worker.ts) holds the exit
// forever; ending them first, with a deadline, tells whether it can be used.
import type { Worker } from 'node:worker_threads'

const live = new Set<Worker>()

export function trackWorkers(workers: readonly Worker[]): void {
  for (const worker of workers) {
    // threadId reads -1 once the worker has exited.
    if (live.has(worker) || worker.threadId === -1) continue
    live.add(worker)
    worker.once('exit', () => live.delete(worker))
  }
}

/**
 * Terminate every live worker. `then` gets 0 as soon as all have exited, or
 * the number still running `ms` from now. For a process about to exit only:
 * nothing else hears of these exits (see below).
 */
export function endWorkersNow(ms: number, then: (running: number) => void): void {
  let running = live.size
  if (running === 0) {
    then(0)
    return
  }
  const timer = setTimeout(() => then(running), ms)
  for (const worker of live) {
    // The pool would start replacements, and the crash bookkeeping would
    // answer the worker's requests 502 and log them: a process that exits at
    // once just drops its connections, as process.exit() alone did.
    worker.removeAllListeners('exit')
    worker.once('exit', () => {
      if (--running > 0) return
      clearTimeout(timer)
      then(0)
    })
    void worker.terminate()
  }
}
