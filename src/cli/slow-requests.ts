// A V8 fatal error in a worker ends the whole server process at once, and
// nothing in it can say which request caused it (failures.md#the-supervisor).
// So, while supervised, the requests that have been in flight since the
// previous look (100 ms) are told to the supervisor whenever that list
// changes, and it names them if the process dies. Telling it of every
// request would cost a message to another process per request; a request
// that kills the process within its first 100 ms goes unnamed.
import { runningRequests } from '../pool/running-requests.js'
import { isSupervised, tellRunning, type SlowRequest } from './supervisor-child.js'

const LOOK_EVERY_MS = 100

/** Start looking (a no-op unless supervised); returns how to stop. */
export function reportSlowRequests(): () => void {
  if (!isSupervised()) return () => {}
  // id → the request, when it was first seen, and at which look.
  const seen = new Map<number, { label: string; at: number; look: number }>()
  let look = 0
  let told = ''
  const timer = setInterval(() => {
    look++
    const now = Date.now()
    const running = runningRequests()
    for (const id of seen.keys()) if (!running.has(id)) seen.delete(id)
    for (const [id, label] of running) if (!seen.has(id)) seen.set(id, { label: shortLabel(label), at: now, look })
    const slow: Array<SlowRequest & { id: number }> = []
    for (const [id, { label, at, look: first }] of seen) if (first < look) slow.push({ id, label, since: at })
    const key = slow.map((request) => request.id).join()
    if (key === told) return
    told = key
    tellRunning(slow.map(({ label, since }) => ({ label, since })))
  }, LOOK_EVERY_MS)
  timer.unref()
  return () => clearInterval(timer)
}

/** `GET http://localhost:3000/report?x=1` → `GET /report?x=1`: the terminal knows the origin. */
function shortLabel(label: string): string {
  return label.replace(/^(\S+) [a-z]+:\/\/[^/]*/i, '$1 ')
}
