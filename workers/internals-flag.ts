// The --expose-internals flag the pool adds to a worker's (worker-pool.ts) is
// for fetch-api.ts alone; the app must not see it. process.execArgv leaves it
// out, and so do the worker threads the app starts itself, which would
// inherit it (a thread without flags of its own takes its parent thread's)
// and could then require Node's internals: they get the flags they would
// have had. (Processes the app forks take process.execArgv already.)
import type { WorkerOptions } from 'node:worker_threads'
import type { WorkerData } from '../src/pool/protocol.js'

const FLAG = '--expose-internals'

/** Hide the flag, if the pool added it. Requiring an internal module still works: it was read at the thread's start. */
export function hideInternalsFlag(workerData: Partial<WorkerData> | null): void {
  if (!workerData?.exposedInternals) return
  process.execArgv = process.execArgv.filter((flag) => flag !== FLAG)
  try {
    const threads = process.getBuiltinModule('node:worker_threads')
    const Native = threads.Worker
    class Worker extends Native {
      constructor(filename: string | URL, options?: WorkerOptions) {
        super(filename, options?.execArgv === undefined ? { ...options, execArgv: process.execArgv } : options)
      }
    }
    threads.Worker = Worker
    // `import { Worker } from 'node:worker_threads'` in the app sees it too.
    process.getBuiltinModule('node:module').syncBuiltinESMExports()
  } catch {
    // Runs as the runtime loads, which must never throw (runtime.ts); at worst
    // a thread the app starts inherits the flag, as it did before this module.
  }
}
