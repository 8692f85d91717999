// A worker's boot before its bundle: what a standby does while it waits.
import type { WorkerData, WorkerMessage } from '../src/pool/protocol.js'
import { importBundle } from './bundle-import.js'
import { prepareForApp } from './app-loader.js'
import { isFetchApiLoaded, warmFetchApi } from './fetch-api.js'
import { trackChildren } from './spawned-children.js'

/**
 * Pay one-off costs before the bundle arrives: Node loads its fetch
 * implementation lazily (~16 ms for the first Request), and the app's
 * packages take longer to import than the app itself.
 */
export async function warmUp(data: Pick<WorkerData, 'warmFetchApi' | 'preloadUrl' | 'nodeAdapter'>, post: (message: WorkerMessage) => void): Promise<void> {
  // Only for an app known to use it, or where Node loaded it already
  // (fetch-api.ts): a hello handler never needs undici, and the first
  // generation serves sooner without it.
  if (data.warmFetchApi || isFetchApiLoaded()) await warmFetchApi()
  // Out of this module's own evaluation first: piscina loads it with
  // require(), and the preload's require() is not to run nested inside that.
  await new Promise((resolve) => setImmediate(resolve))
  trackChildren(post)
  prepareForApp()
  // A failure here is the bundle's own import error, which its import reports.
  await importBundle(data.preloadUrl, { namespace: false }).catch(() => {})
  // Loaded on demand otherwise (~20 ms): a fetch app never needs it.
  if (data.nodeAdapter) await import('./node-adapter.js')
}
