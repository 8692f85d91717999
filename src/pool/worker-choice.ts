/** What the choice needs of a piscina worker (piscina's own `PiscinaWorker` is not exported). */
export interface WorkerLoad {
  readonly id: number
  readonly currentUsage: number
  readonly isRunningAbortableTask: boolean
}

/**
 * piscina's least-busy choice, made among the workers that have imported the
 * bundle whenever one of them can take the task: any other worker would hold
 * the request until its own import finishes (after a swap, the other workers
 * of the new generation are still importing). Null queues the task, as
 * piscina's default does when every worker is full.
 */
export function pickWorker<W extends WorkerLoad>(workers: readonly W[], isReady: (threadId: number) => boolean, maxUsage: number): W | null {
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
