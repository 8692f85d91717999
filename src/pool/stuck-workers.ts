// Which workers are stuck running JavaScript, and where. A request still
// running when its generation's grace ends gets a 502 ("The request outlived
// its workers"); when its worker spent that grace running JavaScript (a loop
// the save meant to fix), the 502 says where, as the --timeout 504 does
// (stuck-location.ts). A worker that sat waiting (a request awaiting a slow
// call, an import waiting on a top-level await) is not paused: the inspector
// could not interrupt it, and would only wait out its 2 s limit.
import type { Worker } from 'node:worker_threads'
import type { ProjectRoots } from '../report/source-files.js'
import { STUCK_UTILIZATION } from './loop-utilization.js'

/** How long an import that timed out is watched, to tell a loop from a wait. */
const SAMPLE_MS = 200

export type Locate = (worker: Worker) => Promise<string | undefined>

/** stuck-location.ts, loaded the first time a generation ends under a request. */
export const locateIn =
  (roots: ProjectRoots): Locate =>
  async (worker) =>
    (await import('./stuck-location.js')).locateStuck(worker, roots)

interface LaneLoad {
  readonly threadId: number
  /** Requests on it not answered yet. */
  readonly load: number
}

/**
 * Samples the workers' event loops now (the grace begins); `places()` then
 * locates those still holding requests that ran JavaScript all along.
 */
export function watchStuck(
  tracker: { lanes(): Iterable<LaneLoad> },
  workerOf: (threadId: number) => Worker | undefined,
  locate: Locate,
): { places(): Promise<Map<number, string>> } {
  const workers = () =>
    [...tracker.lanes()].flatMap((lane) => {
      const worker = workerOf(lane.threadId)
      return worker ? [{ worker, load: lane.load }] : []
    })
  const from = new Map(workers().map(({ worker }) => [worker.threadId, worker.performance.eventLoopUtilization()]))
  return {
    async places() {
      const stuck = workers().filter(({ worker, load }) => {
        const before = from.get(worker.threadId)
        return load > 0 && before !== undefined && worker.performance.eventLoopUtilization(before).utilization >= STUCK_UTILIZATION
      })
      const found = await Promise.all(stuck.map(async ({ worker }) => [worker.threadId, await locate(worker).catch(() => undefined)] as const))
      return new Map(found.filter((entry): entry is readonly [number, string] => entry[1] !== undefined))
    },
  }
}

/** The line a request's 502 gets, as the --timeout 504's (watchdog.ts). */
export const stuckLine = (place: string | undefined): string => (place ? `\nIt was stuck at ${place}` : '')

/** Whether `worker` runs JavaScript without a break (a loop), or sits waiting: watched for SAMPLE_MS. */
export async function runsJavaScript(worker: Worker): Promise<boolean> {
  const before = worker.performance.eventLoopUtilization()
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS))
  return worker.performance.eventLoopUtilization(before).utilization >= STUCK_UTILIZATION
}
