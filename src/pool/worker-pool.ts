// How a generation's worker threads are started: piscina runs
// workers/runtime.js in each, and what they are told at boot.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Piscina as PiscinaClass } from 'piscina'
import type { GenerationOptions } from './generation-options.js'
import type { WorkerData } from './protocol.js'
import { trackWorkers } from './live-workers.js'

// The runtime and what it imports on demand, bundled (npm run build): one
// module to load instead of ~20 made a worker's boot ~5 ms shorter.
const RUNTIME = fileURLToPath(new URL('../../workers/bundle/runtime.js', import.meta.url))

// Required, not imported: piscina is CommonJS, and through the ESM loader
// (its esm-wrapper.mjs, which scans the CommonJS source for named exports)
// it took ~14 ms of this thread instead of ~9, before the first worker spawns.
// The server bundle (npm run build) defines __hotcellBundle and has esbuild
// bundle it instead, so that the bundle's code cache (cli/code-cache.ts)
// covers it too.
declare const __hotcellBundle: boolean | undefined
const { Piscina } = (typeof __hotcellBundle === 'boolean' ? require('piscina') : createRequire(import.meta.url)('piscina')) as { Piscina: typeof PiscinaClass }

export function startWorkers(options: GenerationOptions): PiscinaClass {
  // Lets a worker require Node's undici module (workers/fetch-api.ts), so that
  // it loads undici only when the app needs it on Node 24 too. Only for a Node
  // started without flags: explicit execArgv replaces what workers inherit,
  // and flags a process may have (--max-old-space-size, --expose-gc...) are
  // refused in a worker's. NODE_OPTIONS still applies.
  const exposeInternals = process.execArgv.length === 0
  const workerData: WorkerData = {
    gen: options.gen,
    preloadUrl: options.preloadUrl,
    handler: options.handler,
    entry: options.entry,
    ...(options.nodeAdapter ? { nodeAdapter: true } : {}),
    ...(options.warmFetchApi ? { warmFetchApi: true } : {}),
    ...(options.bundleUrl ? { bundleUrl: options.bundleUrl } : {}),
    ...(options.serverAddress ? { serverAddress: options.serverAddress } : {}),
    ...(options.readsIn ? { readsIn: options.readsIn } : {}),
    ...(exposeInternals ? { exposedInternals: true } : {}),
  }
  const pool = new Piscina({
    filename: RUNTIME,
    workerData,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: Infinity,
    // Requests travel on each worker's own lane (lane.ts), not as piscina
    // tasks: piscina starts, replaces and ends the workers.
    // The default ('sync') parks an idle worker in Atomics.wait, freezing
    // streams and timers the handler left running.
    atomics: 'disabled',
    recordTiming: false,
    ...(options.env ? { env: options.env } : {}),
    ...(exposeInternals ? { execArgv: ['--expose-internals'] } : {}),
    ...(options.maxMemoryMb ? { resourceLimits: heapLimits(options.maxMemoryMb) } : {}),
  })
  // Known process-wide: "stop now" ends them itself before the process exits (live-workers.ts).
  trackWorkers(pool.threads)
  pool.on('workerCreate', () => trackWorkers(pool.threads))
  return pool
}

/**
 * --max-memory as V8 heap limits. The young generation is capped too: with
 * V8's default one (tens of MiB), a single collection could promote more
 * than Node's near-limit allowance at once, and V8 then aborted the whole
 * process ("Reached heap limit", Node 24: 6 of 8 fresh runs of the faults
 * test's /oom at --max-memory 64) instead of Node ending the worker with
 * ERR_WORKER_OUT_OF_MEMORY. Small steps reach the limit where Node handles it.
 */
function heapLimits(maxMemoryMb: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: maxMemoryMb, maxYoungGenerationSizeMb: Math.min(16, Math.max(2, Math.floor(maxMemoryMb / 8))) }
}
