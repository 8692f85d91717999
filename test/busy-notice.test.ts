// A request stuck in a synchronous loop, through the real `hotcell` command:
// one line soon after it starts says which request, on which worker, where,
// and how many wait behind it, long before --timeout ends it; a request that
// merely awaits a long timer (its worker free) gets no such line; and the
// servers `hotcell bench` starts say nothing of it (pool/busy-workers.ts).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { cleanup, projectDir, request, runCli, startCli, waitFor, type CliRun } from './helpers.js'

const APP = `export default {
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    if (path === '/loop') {
      console.log('looping')
      for (;;) {}
    }
    if (path === '/wait') {
      console.log('waiting')
      // Until the timeout aborts it: then its worker has no request left running.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 60_000)
        request.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(request.signal.reason)
        })
      })
    }
    return new Response('ok')
  },
}
`
// Past twice the 2 s after which the line comes: below that, the timeout's own report says it as soon.
const TIMEOUT = '5s'
const BUSY_LINE = /^.*hotcell: .*(?:running JavaScript|busy) for .*$/gm

describe('a worker running JavaScript without a break', () => {
  const project = projectDir({ 'app.ts': APP })
  let cli: CliRun
  before(async () => {
    // --quiet: the line is a warning, said as the other warnings are.
    cli = await startCli(['app.ts', '--port', '0', '--workers', '1', '--timeout', TIMEOUT, '--quiet'], { cwd: project.dir })
    cleanup(() => cli.child.exitCode === null && cli.child.kill('SIGKILL'))
  })
  after(() => project.remove())

  test('a request awaiting a long timer: no line, up to its 504; the worker serves others meanwhile', async () => {
    const waiting = request(`${cli.url}/wait`, { timeoutMs: 20_000 })
    await waitFor(() => cli.output().includes('waiting'), 10_000, 'the request to start')
    assert.equal((await request(`${cli.url}/`, { timeoutMs: 10_000 })).status, 200)
    const timedOut = await waiting
    assert.equal(timedOut.status, 504)
    assert.match(timedOut.text, /did not respond within 5 s/)
    assert.deepEqual(cli.output().match(BUSY_LINE), null, cli.output())
  })

  test('a request in a loop: one line naming it, its worker, where it is and the request queued behind it, before the 504', async () => {
    const stuck = request(`${cli.url}/loop`, { timeoutMs: 20_000 })
    await waitFor(() => cli.output().includes('looping'), 10_000, 'the loop to start')
    const queued = request(`${cli.url}/`, { timeoutMs: 20_000 })
    const line = await waitFor(() => cli.output().match(BUSY_LINE)?.[0], 15_000, 'the busy line')
    assert.match(
      line,
      /hotcell: GET \/loop has been running JavaScript for 2 s on w\d+ without a break, now at app\.ts:6:7 in fetch\(\); 1 request is queued behind it\. If it is still running at --timeout \(5 s\), hotcell answers it 504 and replaces the worker; or save a fix: new requests go to the new code at once\.$/,
    )
    assert.equal((await stuck).status, 504)
    // Served by the worker that replaces it, or 504 if its own time ran out first: either way, answered.
    assert.ok([200, 504].includes((await queued).status))
    // Once for the request, not once per look at it.
    assert.equal(cli.output().match(BUSY_LINE)?.length, 1, cli.output())
  })
})

test('hotcell bench: its server says nothing of a loop (it tallies what fails), only the 504', async () => {
  const project = projectDir({ 'app.ts': APP })
  cleanup(project.remove)
  const { code, stderr } = await runCli(
    ['bench', join(project.dir, 'app.ts'), '--path', '/loop', '-d', '1s', '-c', '1', '-w', '1', '-g', 'undici', '--timeout', TIMEOUT],
    { timeoutMs: 30_000 },
  )
  assert.equal(code, 1, stderr)
  assert.match(stderr, /504 The handler was stuck running JavaScript past --timeout/)
  assert.deepEqual(stderr.match(BUSY_LINE), null, stderr)
})
