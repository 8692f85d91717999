// What a worker loads of Node before its app needs it stays in every idle
// worker (the serving one and the standby) for the server's life. These
// modules were loaded at boot for paths most apps never take (docs/benchmarks.md,
// "Idle memory: where the server's growth since 7c11ac3 went").
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
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

describe('idle worker modules', () => {
  test("a worker whose app uses none of them has not loaded node:child_process, node:v8, node:vm, or node:util's lazy parts", async () => {
    const { server } = await start({
      'app.ts': `const names = ${JSON.stringify(LOADED_LATE)}
export default { fetch: () => new Response(JSON.stringify(names.filter((name) => process.moduleLoadList.includes(name)))) }
`,
    })
    assert.deepEqual(JSON.parse(await text(server.url)), [])
  })
})
