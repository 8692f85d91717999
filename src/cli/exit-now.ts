// A second Ctrl-C (or quit) means "stop now": skip the graceful drain. Not
// process.exit() alone: Node joins every worker thread first, and one that
// ignores terminate() (pool/unstoppable-worker.ts) would hold the process
// forever; unsupervised, nothing else would end it (only a third Ctrl-C, in
// a cooked terminal). So the workers are ended first, with a deadline, and a
// process that cannot exit ends the way end-now.ts ends it.
import { endWorkersNow } from '../pool/live-workers.js'
import { createLogger } from '../report/logger.js'
import { endChildren, endProcessNow } from './end-now.js'
import { isSupervised } from './supervisor-child.js'

/** How long terminated workers have to exit. Under the supervisor's 2 s (supervisor.ts): this process says why it ends. */
const WORKERS_EXIT_MS = 1_000

let exiting = false

/** Exit with `code` once every worker thread has stopped; if one has not within a second, end the process at once. */
export function exitNow(code: number): void {
  if (exiting) return
  exiting = true
  endWorkersNow(WORKERS_EXIT_MS, (running) => {
    if (running === 0) {
      endChildren()
      return process.exit(code)
    }
    const threads = running === 1 ? 'a worker thread' : `${running} worker threads`
    endProcessNow(
      `hotcell: ${threads} did not stop within ${WORKERS_EXIT_MS / 1000} s of being terminated; ending the server process now.`,
      createLogger({ quiet: false }),
      isSupervised(),
    )
  })
}
