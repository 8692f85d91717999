// A handler allocating in a loop until the worker's heap limit: the worker
// dies (ERR_WORKER_OUT_OF_MEMORY) and its request gets a 502. Where it was
// allocating had been found by the busy line at 2 s; the 502 says it
// (pool/last-seen.ts) instead of only that the heap ran out.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanup, projectDir, request, startCli } from './helpers.js'

test('a worker that runs out of heap in a loop: its 502 says where it was last seen running', async () => {
  // Small objects only (a linked list): a large array's growth can abort the whole process instead (worker-pool.ts).
  // A pause per thousand objects so that the heap lasts past the busy line's look at 2 s.
  const project = projectDir({
    'package.json': '{ "type": "module" }\n',
    'app.ts': `type Row = { id: number; name: string; next: Row | undefined }
export default {
  fetch() {
    let head: Row | undefined
    let n = 0
    for (;;) {
      for (let i = 0; i < 1000; i++) head = { id: n, name: 'user ' + n++, next: head }
      const until = Date.now() + 6
      while (Date.now() < until) {}
    }
  },
}
`,
  })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1', '--max-memory', '64', '--timeout', '60s'], { cwd: project.dir })
  cleanup(() => cli.stop())
  const res = await request(cli.url, { timeoutMs: 60_000 })
  assert.equal(res.status, 502, res.text)
  assert.match(res.text, /ERR_WORKER_OUT_OF_MEMORY/, res.text)
  assert.match(cli.output(), /running JavaScript for 2 s/, cli.output())
  assert.match(res.text, /It was last seen running JavaScript at app\.ts:\d+:\d+ in fetch\(\), [\d.]+ s before\./, res.text)
})
