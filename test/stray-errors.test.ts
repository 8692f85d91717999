// An uncaught exception outside any request (a pool's socket callback, a
// module's timer): the terminal says what hotcell knows (which requests its
// worker was running, not "no other request was failed"), a request left
// waiting on it gets a 504 naming it, repeats of it are counted in one line
// even when its message changes, and a request already answered 504 is not
// counted as running (pool/stray-errors.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'

async function cliFor(source: string, ...flags: string[]) {
  const project = projectDir({ 'package.json': '{ "type": "module" }\n', 'app.ts': source })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1', ...flags], { cwd: project.dir })
  cleanup(() => cli.stop())
  return cli
}

// A pg-like client: one socket opened at import (to an echo server of its own), replies parsed in its 'data' callback.
const POOL = `import net from 'node:net'
const echo = net.createServer((s) => s.on('data', (d) => s.write(d)))
const waiting: Array<(text: string) => void> = []
let sock!: net.Socket
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => {
  sock = net.connect((echo.address() as net.AddressInfo).port, '127.0.0.1', resolve)
  sock.on('data', (d) => {
    const text = String(d)
    if (text.includes('bad')) throw new Error('protocol error: cannot parse reply ' + text)
    waiting.shift()?.(text)
  })
}))
echo.unref()
sock.unref()
export default {
  fetch(req: Request) {
    const q = new URL(req.url).searchParams.get('q') ?? 'ok'
    return new Promise<Response>((resolve) => {
      waiting.push((text) => resolve(new Response(text)))
      sock.write(q)
    })
  },
}
`

test('a socket callback of a pool opened at import throws: the line names the request running, and its 504 names the exception', async () => {
  const cli = await cliFor(POOL, '--timeout', '1500')
  assert.equal((await request(`${cli.url}/?q=good`)).text, 'good')
  const res = await request(`${cli.url}/?q=bad`, { timeoutMs: 20_000 })
  assert.equal(res.status, 504)
  assert.match(
    res.text,
    /code outside any request threw an uncaught exception on that worker, [\d.]+ s before this answer \(below\): most likely what it was waiting for/,
  )
  assert.match(res.text, /Caused by: Error: protocol error: cannot parse reply bad\n/)
  assert.match(res.text, /app\.ts:9:\d+/)
  assert.doesNotMatch(res.text, /a promise that never settles/)
  const out = cli.output()
  assert.match(out, /An uncaught exception outside any request \(in a timer or callback the module started/, out)
  assert.match(out, /GET \/\?q=bad was running on it: if it waits on what threw here, the answer comes only at --timeout/, out)
  assert.doesNotMatch(out, /no other request was failed|module top level/, out)
  // The app's queue is now off by one: the next request waits too, but nothing threw since it began, so the usual guess.
  const next = await request(`${cli.url}/?q=again`, { timeoutMs: 20_000 })
  assert.equal(next.status, 504)
  assert.match(next.text, /a promise that never settles\?/)
  assert.doesNotMatch(next.text, /uncaught exception/)
})

test("a module's timer that throws every tick with a count in its message: one block, then one line counting the repeats", async () => {
  const cli = await cliFor(`let n = 0
setInterval(() => {
  n++
  throw new Error('background job failed, tick ' + n)
}, 100)
export default { fetch: () => new Response('ok') }
`)
  await waitFor(() => /the same error again \(×\d+, the last: background job failed, tick \d+\)/.test(cli.output()), 10_000, cli.output())
  const out = cli.output()
  assert.equal(out.match(/An uncaught exception outside any request/g)?.length, 1, out)
  assert.match(
    out,
    /outside any request \(in a timer or callback the module started, such as a setInterval or a socket it opened\), worker \d+ of generation 1\. The worker keeps running \(under node alone, this would end the process\)\. No request was running on it\./,
    out,
  )
  assert.equal(out.match(/background job failed, tick \d+\n/g)?.length, 1, out)
})

test('a request answered 504 whose handler still awaits is not counted among the requests its worker runs', async () => {
  const cli = await cliFor(
    `export default {
  fetch(req: Request) {
    if (req.url.endsWith('/never')) return new Promise<Response>(() => {})
    const end = Date.now() + 3000
    while (Date.now() < end) {}
    return new Response('looped')
  },
}
`,
    '--timeout',
    '4s',
  )
  assert.equal((await request(`${cli.url}/never`, { timeoutMs: 20_000 })).status, 504)
  assert.equal((await request(`${cli.url}/loop`, { timeoutMs: 20_000 })).text, 'looped')
  const out = cli.output()
  assert.match(out, /GET \/loop has (been running JavaScript|kept w\d+ busy) for 2 s/, out)
  assert.doesNotMatch(out, /the last of its 2 requests to begin/, out)
})
