/** What the choice needs of a worker: its thread id and how many requests it has. */
export interface WorkerLoad {
  readonly id: number
  readonly currentUsage: number
  readonly isRunningAbortableTask?: boolean
}

/**
 * piscina's least-busy choice, made among the workers that have imported the
 * bundle whenever one of them can take the task: any other worker would hold
 * the request until its own import finishes (after a swap, the other workers
 * of the new generation are still importing). Null: every worker is full,
 * and the request waits for one.
 */
export function pickWorker<W extends WorkerLoad>(workers: Iterable<W>, isReady: (threadId: number) => boolean, maxUsage: number): W | null {
  let best: W | null = null
  let bestReady = false
  for (const worker of workers) {
    if (worker.isRunningAbortableTask || worker.currentUsage >= maxUsage) continue
    const ready = isReady(worker.id)
    if (ready && worker.currentUsage === 0) return worker
    if (best === null || (ready && !bestReady) || (ready === bestReady && worker.currentUsage < best.currentUsage)) {
      best = worker
      bestReady = ready
    }
  }
  return best
}
