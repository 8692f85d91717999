// A generation's end once it no longer serves (new code does, the new code
// does not build or load, or the server stops): its upgraded connections and
// event streams close at once, its requests and ctx.waitUntil() work share one
// grace, then its workers end, and each request still running is told why.
import { formatMs } from '../report/fault-views.js'
import { backgroundWorkDone } from './background-work.js'
import type { Generation } from './generation.js'
import type { InflightRequests } from './inflight-requests.js'
import { type Locate, watchStuck } from './stuck-workers.js'
import { CLOSE_SERVICE_RESTART } from './websocket-frames.js'
import { ENDED_BECAUSE } from './worker-death.js'
import type { WorkerTracker } from './worker-tracker.js'

/** What retiring reads of its generation beyond its public side: private to generation.ts otherwise. */
export interface RetiringParts {
  readonly inflight: InflightRequests
  readonly tracker: WorkerTracker
}

/** Generation.retire(): how many waitUntil promises the end cut. */
export async function retireGeneration(
  generation: Generation,
  { inflight, tracker }: RetiringParts,
  graceMs: number,
  why: 'reload' | 'broken' | 'shutdown',
  locate: Locate | undefined,
): Promise<number> {
  generation.retired = true
  const deadline = performance.now() + graceMs // one grace for the requests and the waitUntil work
  const stuck = locate && why !== 'shutdown' ? watchStuck(tracker, (id) => generation.worker(id), locate) : undefined
  // Open WebSockets and event streams would keep old code running for as long as a tab stays open: they reconnect to the new code.
  generation.sockets.closeAll(
    CLOSE_SERVICE_RESTART,
    why === 'broken' ? 'the code changed; hotcell serves its error until it is fixed' : 'hotcell reloaded the code',
  )
  generation.eventStreams.endAll(why === 'shutdown' ? 'shutdown' : 'reload')
  if (inflight.count > 0) await inflight.drained(graceMs, why === 'shutdown')
  const cut = await backgroundWorkDone(() => tracker.lanes(), deadline)
  const places = inflight.count > 0 ? await stuck?.places() : undefined
  const reason = `${ENDED_BECAUSE[why].cause} was still running ${formatMs(graceMs)} later, when its workers ended`
  return generation.destroy(reason, places, why !== 'shutdown').then(() => cut)
}
