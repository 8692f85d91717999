// An entry whose import ended with no handler exported and no listen() yet
// may still call listen() later: Express's `connectDb().then(() =>
// app.listen(3000))`, Fastify's `app.listen()` without `await`, which binds
// only once every plugin is ready. tsx serves those once they listen; so does
// hotcell, within the time it gives an import (IMPORT_LIMIT_MS, counted from
// the import's start): `await connectDb(); app.listen(3000)` and the
// `.then()` spelling of the same app get the same 10 s.
// An entry that exports nothing and never listens (a forgotten `export
// default`) must still be told promptly, not after 10 s: past LISTEN_GRACE_MS
// it is waited for only while it has work under way that could call listen()
// (pending-work.ts). With nothing under way no callback of its will run
// again, and the 500 comes as it always did, 2 s after the import.
import { IMPORT_LIMIT_MS, LISTEN_GRACE_MS } from '../src/pool/protocol.js'
import { type CapturedListen, capturedServers, firstListen } from './listen-capture.js'
import { hasPendingIo, hasPendingWork, type ResourceCounts } from './pending-work.js'

// LISTEN_GRACE_MS is what an entry with nothing under way gets: a listen() a
// few ticks after the import settles (a library that listens on
// setImmediate), and any work Node does not count (a native add-on's thread).
// How often the app's pending work is looked at: an entry whose connect failed
// (logged, nothing left under way) is told within this of the failure.
const POLL_MS = 100

/**
 * The server listen()ed, or why none is: `idle`, nothing under way (past the
 * grace); `limit`, IMPORT_LIMIT_MS passed. `workEndedMs`: the app had work
 * under way at the grace, which ended this long after the import without a
 * listen() (a connect that failed). `timersOnly`: at each look past the grace,
 * the app's work was timers alone (no socket, DNS lookup or file read seen).
 */
export type ListenWait =
  | { listen: CapturedListen }
  | { listen: undefined; why: 'idle'; workEndedMs?: number }
  | { listen: undefined; why: 'limit'; timersOnly: boolean }

/**
 * Wait for the entry's first listen(), the import having ended at `importEnded`
 * (performance.now()) with `before` the resources alive before it began, at
 * `importStarted`. The timers are unref'd: they must not count as the app's
 * work (the worker's MessagePorts keep its event loop alive).
 */
export function awaitListen(before: ResourceCounts, importStarted: number, importEnded: number): Promise<ListenWait> {
  const now = capturedServers()[0]
  if (now) return Promise.resolve({ listen: now })
  const deadline = importStarted + IMPORT_LIMIT_MS
  const graceEnd = Math.min(importEnded + LISTEN_GRACE_MS, deadline)
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    let done = false
    let hadWork = false
    let sawIo = false
    const finish = (result: ListenWait) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve(result)
    }
    void firstListen().then((listen) => finish({ listen }))
    const look = () => {
      const at = performance.now()
      if (at >= graceEnd && !sawIo) sawIo = hasPendingIo(before)
      if (at >= deadline) return finish({ listen: undefined, why: 'limit', timersOnly: !sawIo })
      if (at >= graceEnd) {
        if (!hasPendingWork(before)) return finish({ listen: undefined, why: 'idle', ...(hadWork ? { workEndedMs: at - importEnded } : {}) })
        hadWork = true
      }
      timer = setTimeout(look, Math.max(1, Math.min(at < graceEnd ? graceEnd - at : POLL_MS, deadline - at))).unref()
    }
    look()
  })
}
