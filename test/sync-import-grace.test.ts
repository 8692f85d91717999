// A generation's end waits for workers inside a synchronous import, for as
// long as the import may still be in Node's loader (pool/sync-import-grace.ts).
// The bound counts from when the bundle was handed out: an import stuck in a
// loop at the top level is ended at once by a shutdown past it, not GRACE_MS later.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Worker } from 'node:worker_threads'
import { BundleHandoff, type LoadingGeneration } from '../src/pool/bundle-handoff.js'
import { GRACE_MS, outOfSyncImports } from '../src/pool/sync-import-grace.js'
import { withDeadline } from './helpers.js'

/** A one-worker generation's handoff, its worker booted; the control messages it sends are kept. */
function oneWorkerHandoff() {
  const sent: string[] = []
  const generation: LoadingGeneration = {
    gen: 1,
    workers: 1,
    bundleUrl: undefined,
    serverAddress: undefined,
    threads: [{ threadId: 7 } as Worker],
    loadError: undefined,
  }
  const lane = { threadId: 7, control: (message: { type: string }) => sent.push(message.type) }
  let destroyed = false
  const handoff = new BundleHandoff(generation, { destroyed: () => destroyed, lanes: () => [lane] })
  handoff.booted(7)
  // As Generation.destroy() does: the load stops waiting, its timer goes.
  const destroy = () => {
    destroyed = true
    handoff.recheck()
    handoff.close()
  }
  return { handoff, generation, sent, destroy }
}

test('an import handed out counts as in the loader until GRACE_MS after the hand-out, then no longer', async () => {
  const { handoff, generation, sent, destroy } = oneWorkerHandoff()
  assert.equal(handoff.inSyncImport(), false, 'booted, no bundle yet')
  ;(generation as { bundleUrl: string }).bundleUrl = 'file:///bundle.mjs'
  void handoff.load('file:///bundle.mjs', false, 60_000)
  assert.ok(sent.includes('load'))
  assert.equal(handoff.inSyncImport(), true, 'just handed out: it may be in the loader')
  // The worker never reports ready (a loop at the top level). Past the bound
  // from the hand-out, its end no longer waits; the wait for it ends then too.
  await withDeadline(outOfSyncImports(handoff.inSyncImport), GRACE_MS + 2_000, 'the wait for the import to end')
  assert.equal(handoff.inSyncImport(), false, `${GRACE_MS} ms after the hand-out, the import runs the app's code: a generation ended now does not wait for it`)
  destroy()
})
