// --max-memory's off-heap half (workers/memory-check.ts is the worker's). V8
// enforces the heap limit itself, at the allocation that crosses it; the bytes
// of Buffers and ArrayBuffers live outside the heap, where nothing limits
// them. So the workers of each generation made with a limit are asked, now
// and then, whether they hold more than it off-heap after collecting their
// garbage; one that does is terminated and replaced, as one over its heap
// limit is, and its requests get a 502 that says why.
//
// The same number, applied on its own: a worker may hold up to --max-memory
// in its heap and as much again in Buffers. One budget for both would need
// the heap's size after a collection on every look, and would newly end
// workers that hold a large heap and a few Buffers, which V8's limit lets
// live today.
//
// Nothing is spent per request: the watchdog's interval (deadlines.ts, every
// 250 ms at most, running only while requests are in flight) asks, at most
// every CHECK_MS, and once more on its last sweep, once no request is left:
// growth made by the last requests of a burst is seen then, not at the next
// burst. An ask is one message per worker; a worker under the limit reads
// one number and answers nothing.
import type { Generation } from './generation.js'
import type { MemoryReport } from './protocol.js'

const CHECK_MS = 250
const MIB = 1024 * 1024

/** The generations with a limit, and the limit in bytes. */
const watched = new Map<Generation, number>()
let lastCheck = Number.NEGATIVE_INFINITY

/** Ask the workers of `generation` about their off-heap memory from now on, until it ends. */
export function watchMemory(generation: Generation, limitMb: number): void {
  watched.set(generation, limitMb * MIB)
  void generation.ended.then(() => watched.delete(generation))
}

/** After a sweep of the watchdog's deadlines; `last`: no request is left in its list (its interval stops). */
export function lookAtMemory(last: boolean): void {
  if (watched.size === 0) return
  const now = performance.now()
  if (!last && now - lastCheck < CHECK_MS) return
  lastCheck = now
  for (const [generation, limit] of watched) for (const lane of generation.lanes()) lane.control({ type: 'memory', limit })
}

/** Why a worker over the limit was terminated: its requests' 502 and the terminal say this. `running`: the request it was running, if one. */
export function overMemoryReason(report: MemoryReport, limitMb: number, running: string | undefined): string {
  const which = running ? ` while running ${running}` : report.lastRequest ? ` (the last request it began: ${report.lastRequest})` : ''
  return (
    `Worker ${report.threadId} held ${mib(report.external)} MiB in Buffers and ArrayBuffers (off-heap, after a garbage collection; ` +
    `its heap: ${mib(report.heapUsed)} MiB), over --max-memory ${limitMb} MiB${which}. hotcell terminated it and started a new one. ` +
    `Memory a collection does not free is kept by the app (Buffers in a cache, an array or a Map that only grows?); ` +
    `if the app is meant to hold that much, raise --max-memory (maxMemory in hotcell.config.ts or serve()).`
  )
}

/** Its repeat's line in the terminal: which worker, how much, after which request. */
export function overMemoryWhose(report: MemoryReport): string {
  return `w${report.threadId}, ${mib(report.external)} MiB` + (report.lastRequest ? ` after ${report.lastRequest}` : '')
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)
}
