// Whether the app still has something under way that could call listen()
// later: a timer, an immediate, a socket, a DNS lookup, a file read, a child
// process. An entry whose import ended without a handler and with nothing
// under way can never call listen() (no callback of its will run again); one
// with a database connect or a Fastify plugin's timer under way may, and is
// waited for (listen-wait.ts).
// Node counts what keeps the event loop alive (process.getActiveResourcesInfo,
// Node 17.3+): one entry per timer, socket, request. What hotcell's own worker
// holds (its lanes' MessagePorts, the preloaded packages' handles) is counted
// before the bundle is imported and left out. Unref'd timers and native
// add-on threads are not counted: such an app gets the short wait (a miss
// costs what it cost before this check existed).

/** How many resources of each kind were alive: before the bundle's import. */
export type ResourceCounts = ReadonlyMap<string, number>

/** What is keeping the event loop alive now, by kind. */
export function countResources(): ResourceCounts {
  const counts = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return counts
}

/**
 * Does the app have work under way beyond `before`? A caller looking from a
 * timer of its own unrefs it: a timer counts while its callback runs.
 */
export function hasPendingWork(before: ResourceCounts): boolean {
  for (const [kind, count] of countResources()) if (count > (before.get(kind) ?? 0)) return true
  return false
}

// Timers alone are what a forgotten `export default` with a metrics interval
// leaves under way; a database connect shows a socket or a DNS lookup.
const TIMERS = new Set(['Timeout', 'Immediate'])

/** Does the app have work under way beyond `before` other than timers (a socket, a DNS lookup, a file read, a child process)? */
export function hasPendingIo(before: ResourceCounts): boolean {
  for (const [kind, count] of countResources()) if (!TIMERS.has(kind) && count > (before.get(kind) ?? 0)) return true
  return false
}
