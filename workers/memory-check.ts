// --max-memory's off-heap half, the worker's side (src/pool/memory-watch.ts
// asks). V8's heap limit never sees what Buffers and ArrayBuffers hold: their
// bytes live outside the heap, and a handler keeping 32 MiB of Buffers per
// request grew a worker under --max-memory 64 past 256 MiB with nothing said.
//
// The number is V8's external memory for this isolate
// (v8.getHeapStatistics().external_memory, on Node 20 and 24): the backing
// stores of the ArrayBuffers it holds, including request bodies the main
// thread transferred in, plus a few MiB of Node's own. Measured per isolate:
// 40 MiB of Buffers on the main thread did not show in a worker's number.
// process.memoryUsage().arrayBuffers counts what this thread's allocator
// handed out instead (not a body transferred in), and reads the process's RSS
// from /proc on every call.
//
// Garbage counts too until V8 collects it, and it collects ArrayBuffers late:
// 20 MiB bodies dropped one after another showed up to 62 MiB before a
// collection, on a worker holding none. So a worker over the limit is not
// judged on that number: it runs a full collection, twice (the first frees the
// bytes, and V8 updates its count at the next one; measured on Node 20 and
// 24), and only what is left counts. The collection is vm.measureMemory's
// eager one, as in src/reload/settle-heap.ts: no --expose-gc.
import { fullCollection } from './full-collection.js'
import type { WorkerMessage } from '../src/pool/protocol.js'
const { threadId } = process.getBuiltinModule('node:worker_threads')

// node:v8 and node:vm (full-collection.ts) load on the first check: only
// --max-memory asks, and either costs every idle worker memory otherwise.
const getHeapStatistics = () => process.getBuiltinModule('node:v8').getHeapStatistics()

let checking = false
let lastMethod: string | undefined
let lastUrl: string | undefined

/** A request begins here: named if this worker is found over the limit later. Two stores, nothing else: this is on every request's path. */
export function noteRequest(method: string, url: string): void {
  lastMethod = method
  lastUrl = url
}

/** Tell the main thread (one message) if this isolate holds more than `limit` bytes off-heap once its garbage is collected. */
export function checkMemory(limit: number, post: (message: WorkerMessage) => void): void {
  // Asks that queued up while a check collects, or while the thread was busy, are the same question.
  if (checking || getHeapStatistics().external_memory <= limit) return
  checking = true
  void fullCollection()
    .then(fullCollection)
    .then(() => {
      const external = getHeapStatistics().external_memory
      if (external <= limit) return
      post({
        type: 'hotcell:memory',
        threadId,
        external,
        heapUsed: getHeapStatistics().used_heap_size,
        ...(lastUrl ? { lastRequest: `${lastMethod} ${lastUrl}` } : {}),
      })
    })
    .finally(() => {
      checking = false
    })
}
