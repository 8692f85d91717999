// A generation's code gets to clean up when the generation ends, as a Node
// process told to stop would: its workers run the app's SIGTERM and 'exit'
// listeners and end the child processes it started (workers/retirement.ts),
// before the pool terminates them. Then, from here, the children still
// running get SIGTERM: those of a worker that could not clean up (stuck in
// JavaScript, running a request that the grace cut, or ended first).
import { readFileSync } from 'node:fs'
import type { Worker } from 'node:worker_threads'
import type { Lane } from './lane.js'
import type { WorkerMessage } from './protocol.js'

/** How long the app's cleanup may take (its SIGTERM listeners, its children's exits). */
export const CLEANUP_MS = 2_000
/** Beyond CLEANUP_MS, for the worker's answer to arrive. */
const ANSWER_MS = 200

export class Retirement {
  /** Child processes the workers started, still running as far as they know: pid → thread. */
  readonly #children = new Map<number, number>()
  readonly #retired = new Set<number>()
  #onRetired: (() => void) | undefined

  /** `pool` re-emits the workers' messages (piscina). */
  constructor(pool: { on(event: 'message', listener: (message: WorkerMessage) => void): unknown }) {
    pool.on('message', (message) => {
      if (message.type === 'hotcell:child') {
        if (message.running) this.#children.set(message.pid, message.threadId)
        else this.#children.delete(message.pid)
      } else if (message.type === 'hotcell:retired') {
        this.#retired.add(message.threadId)
        this.#onRetired?.()
      }
    })
  }

  /**
   * Ask the workers of `lanes` to clean up; resolves once each has (or has
   * exited), or after CLEANUP_MS. Not asked while one runs a request (the
   * grace ran out: its requests wait for the workers' end) or while
   * `importing` (stuck in an import's top level: it would not answer).
   */
  async cleanUp(lanes: Lane[], workers: readonly Worker[], importing: boolean): Promise<void> {
    if (lanes.length === 0 || importing || lanes.some((lane) => lane.load > 0)) return
    const waiting = new Set(lanes.map((lane) => lane.threadId))
    const live = workers.filter((worker) => waiting.has(worker.threadId))
    await new Promise<void>((resolve) => {
      const check = () => {
        for (const threadId of this.#retired) waiting.delete(threadId)
        if (waiting.size > 0) return
        clearTimeout(timer)
        for (const worker of live) worker.off('exit', onExit)
        this.#onRetired = undefined
        resolve()
      }
      const timer = setTimeout(() => {
        waiting.clear()
        check()
      }, CLEANUP_MS + ANSWER_MS)
      const onExit = () => {
        for (const threadId of waiting) if (!live.some((worker) => worker.threadId === threadId)) waiting.delete(threadId)
        check()
      }
      // A worker that ended on its own never answers (threadId reads -1 once it has exited).
      for (const worker of live) worker.once('exit', onExit)
      this.#onRetired = check
      for (const lane of lanes) lane.control({ type: 'retire', ms: CLEANUP_MS })
    })
  }

  /** The workers have ended: SIGTERM the children they left running. */
  endChildren(): void {
    for (const pid of this.#children.keys()) {
      if (!isOurChild(pid)) continue
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // Gone meanwhile.
      }
    }
    this.#children.clear()
  }
}

/**
 * Whether `pid` is still a child of this process. Its exit may not have been
 * reported (a worker ended mid-way), and a reaped pid may be another's now.
 * Where there is no /proc, a pid not reported as ended is taken as ours.
 */
function isOurChild(pid: number): boolean {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return process.platform !== 'linux'
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[1]) === process.pid
}
