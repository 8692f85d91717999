// What a worker loads of Node before its app needs it stays in every idle
// worker (the serving one and the standby) for the server's life. These
// modules were loaded at boot for paths most apps never take (docs/benchmarks.md,
// "Idle memory: where the server's growth since 7c11ac3 went").
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { cleanup, projectDir } from './helpers.js'
import { start, text } from './reload-helpers.js'

/** Node's names in process.moduleLoadList. */
const LOADED_LATE = [
  // spawned-children.ts: the tracking waits for the app's first child.
  'NativeModule child_process',
  // memory-check.ts and full-collection.ts: only --max-memory's check needs them.
  'NativeModule v8',
  'NativeModule vm',
  // An ES import of node:util reads its lazy exports (own-properties.ts).
  'NativeModule internal/mime',
  'NativeModule internal/util/parse_args/parse_args',
]
const REPORT = `(${JSON.stringify(LOADED_LATE)}).filter((name) => process.moduleLoadList.includes(name))`

describe('idle worker modules', () => {
  test("a worker whose app uses none of them loads no more of node:child_process, node:v8, node:vm and node:util's lazy parts than a bare worker", async () => {
    // Node 24's own ES module loader loads internal/mime in any worker.
    const bare = projectDir({ 'bare.mjs': `import { parentPort } from 'node:worker_threads'\nparentPort.postMessage(${REPORT})\n` })
    cleanup(bare.remove)
    const worker = new Worker(join(bare.dir, 'bare.mjs'))
    const [baseline] = await once(worker, 'message')
    await worker.terminate()
    const { server } = await start({ 'app.ts': `export default { fetch: () => new Response(JSON.stringify(${REPORT})) }\n` })
    assert.deepEqual(JSON.parse(await text(server.url)), baseline)
  })
})
