// A request stuck in a loop on the code from before a save: the new code
// serves at once, and when --timeout ends the old worker, its 504 says the
// worker was ended, not "terminated and replaced": nothing of the old code
// is started again for anyone.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, projectDir, request, waitFor } from './helpers.js'

test("a loop of the old generation's request ends in a 504 that says its worker was ended, not replaced", async () => {
  const app = (answer: string) => `export default {
  fetch(request: Request) {
    if (new URL(request.url).pathname === '/loop') for (;;) {}
    return new Response('${answer}')
  },
}
`
  const project = projectDir({ 'app.ts': app('old') })
  cleanup(project.remove)
  const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, timeout: '2s', quiet: !process.env.DEBUG_HOTCELL })
  cleanup(() => server.close())
  const stuck = request(`${server.url}/loop`, { timeoutMs: 30_000 })
  await new Promise((r) => setTimeout(r, 300))
  project.write('app.ts', app('new'))
  await waitFor(async () => (await request(`${server.url}/`)).text === 'new', 10_000, 'the new code')
  const res = await stuck
  assert.equal(res.status, 504, res.text)
  assert.match(res.text, /so hotcell ended it; it ran the code from before a reload, which no longer serves\./)
  assert.match(res.text, /The stuck worker was ended; new requests run the new code\./)
  assert.doesNotMatch(res.text, /started a new one|terminated and replaced/)
})
