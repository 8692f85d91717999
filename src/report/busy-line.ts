// The line for a worker that has run JavaScript without a break for a while
// (pool/busy-workers.ts): which request, on which worker, where, how many
// wait behind it, and what ends it. One line: the --timeout report that may
// follow has the code frame.
import { BUSY_NOTICE_MS, type BusyNotice } from '../pool/busy-workers.js'
import { formatMs } from './fault-views.js'

/** `timeoutMs`: --timeout; `reloads`: a save serves new code (not --no-reload). */
export function busyLine(notice: BusyNotice, timeoutMs: number, reloads: boolean): string {
  const worker = `w${notice.threadId}`
  const request = notice.request && shortLabel(notice.request)
  // The only request it has begun: it runs that one. Several: the last to begin, most likely.
  const sure = request !== undefined && notice.begun === 1
  const running = `running JavaScript for ${formatMs(BUSY_NOTICE_MS)}`
  // Not found by the inspector: it may be blocked in a synchronous call (execSync, Atomics.wait), which no pause reaches.
  const lead = notice.location
    ? `${sure ? `${request} has been ${running} on ${worker}` : `${worker} has been ${running}`} without a break, now at ${notice.location}`
    : `${sure ? `${request} has kept ${worker}` : `${worker} has been`} busy for ${formatMs(BUSY_NOTICE_MS)} without a break (JavaScript that never yields, or a synchronous call)`
  const likely = request !== undefined && !sure ? `, most likely in ${request}, the last of its ${notice.begun} requests to begin` : ''
  const queued = notice.queued === 0 ? '' : `; ${notice.queued === 1 ? '1 request is' : `${notice.queued} requests are`} queued behind it`
  // Without a request to blame, the timeout answers the queued ones 504 and keeps the worker (watchdog.ts).
  const ends = request === undefined ? '' : ` If it is still running at --timeout (${formatMs(timeoutMs)}), hotcell answers it 504 and replaces the worker`
  const fix = reloads ? `${ends ? '; or save' : ' Save'} a fix: new requests go to the new code at once.` : ends ? '.' : ''
  return `hotcell: ${lead}${likely}${queued}.${ends}${fix}`
}

/** `GET http://localhost:3000/report?x=1` → `GET /report?x=1`, cut as the request log cuts a path. */
function shortLabel(label: string): string {
  const short = label.replace(/^(\S+) [a-z]+:\/\/[^/]*/i, '$1 ')
  return short.length <= 200 ? short : `${short.slice(0, 200)}…`
}
