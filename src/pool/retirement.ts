// A generation's code gets to clean up when the generation ends, as a Node
// process told to stop would: its workers run the app's signal and 'exit'
// listeners and end the child processes it started (workers/retirement.ts),
// before the pool terminates them. Then, from here, the children still
// running get SIGTERM: those of a worker that could not clean up (stuck in
// JavaScript, running a request that the grace cut, or ended first). The
// cleanup is bounded: what the bound cut is told (`onCut`), since it is why
// a database was not closed, or a helper process still runs.
import { readFileSync } from 'node:fs'
import type { Worker } from 'node:worker_threads'
import type { Lane } from './lane.js'
import type { CleanupCut, StopSignal, WorkerMessage } from './protocol.js'

/** How long the app's cleanup may take (its SIGTERM listeners, its children's exits). */
export const CLEANUP_MS = 2_000
/** Beyond CLEANUP_MS, for the worker's answer to arrive. */
const ANSWER_MS = 200

export class Retirement {
  /** Child processes the workers started, still running as far as they know: pid → thread. */
  readonly #children = new Map<number, number>()
  /** The workers that answered, with what the bound cut of their cleanup. */
  readonly #retired = new Map<number, CleanupCut>()
  #onRetired: (() => void) | undefined
  readonly #onCut: ((text: string) => void) | undefined

  /** `pool` re-emits the workers' messages (piscina). `onCut`: says what the bound cut of the app's cleanup. */
  constructor(pool: { on(event: 'message', listener: (message: WorkerMessage) => void): unknown }, onCut?: (text: string) => void) {
    this.#onCut = onCut
    pool.on('message', (message) => {
      if (message.type === 'hotcell:child') {
        if (message.running) this.#children.set(message.pid, message.threadId)
        else this.#children.delete(message.pid)
      } else if (message.type === 'hotcell:retired') {
        const { type: _type, threadId, ...cut } = message
        this.#retired.set(threadId, cut)
        this.#onRetired?.()
      }
    })
  }

  /**
   * Ask the workers of `lanes` to clean up; resolves once each has (or has
   * exited), or after CLEANUP_MS. Not asked while one runs a request (the
   * grace ran out: its requests wait for the workers' end) or while
   * `importing` (stuck in an import's top level: it would not answer).
   * `signal`: whose listeners run (workers/retirement.ts).
   */
  async cleanUp(lanes: Lane[], workers: readonly Worker[], importing: boolean, signal: StopSignal = 'SIGTERM'): Promise<void> {
    if (lanes.length === 0 || importing || lanes.some((lane) => lane.load > 0)) return
    const waiting = new Set(lanes.map((lane) => lane.threadId))
    const live = workers.filter((worker) => waiting.has(worker.threadId))
    let silent = 0
    await new Promise<void>((resolve) => {
      const check = () => {
        for (const threadId of this.#retired.keys()) waiting.delete(threadId)
        if (waiting.size > 0) return
        clearTimeout(timer)
        for (const worker of live) worker.off('exit', onExit)
        this.#onRetired = undefined
        resolve()
      }
      const timer = setTimeout(() => {
        silent = waiting.size
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
      for (const lane of lanes) lane.control({ type: 'retire', ms: CLEANUP_MS, signal })
    })
    const text = cutText([...this.#retired.values()], silent)
    if (text) this.#onCut?.(text)
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

/** What the bound cut of the app's cleanup, in its workers' answers (and `silent` workers that never answered), as one line; '' if nothing. */
export function cutText(answers: CleanupCut[], silent: number): string {
  const seconds = `${CLEANUP_MS / 1000} s`
  const parts: string[] = []
  const unfinished = [...new Set(answers.flatMap((cut) => (cut.unfinished ? [cut.unfinished] : [])))]
  if (unfinished.length > 0) parts.push(`the app's ${unfinished.join(' and ')} listener had not finished ${seconds} after it ran, and was cut short`)
  if (silent > 0)
    parts.push(
      `${silent === 1 ? 'a worker' : `${silent} workers`} had not finished the app's cleanup (its signal and 'exit' listeners) ${seconds} after it began ` +
        '(a listener stuck in a loop, or waiting on a synchronous call?), and ended mid-way',
    )
  const children = answers.flatMap((cut) => cut.children ?? [])
  if (children.length > 0) {
    const which = children.length === 1 ? `the child process ${children[0]}` : `the child processes ${children.join(', ')}`
    parts.push(`${which} it started had not exited ${seconds} after SIGTERM, and may still run`)
  }
  if (parts.length === 0) return ''
  return `${parts.join('; ')}. hotcell gives the app's cleanup ${seconds}, so that it cannot hold up a reload or the shutdown`
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
