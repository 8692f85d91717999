// hotcell bench --baseline: the handler inline on node:http must answer as
// hotcell does (status, headers, body, a Node handler, a streamed body), or
// the ratio compares two different responses.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startBaseline, type BaselineServer } from '../src/bench-command/baseline.js'
import { serve } from '../src/dev-server.js'
import type { HotcellServer } from '../src/server-api.js'
import { fixture, request, type Reply, withDeadline } from './helpers.js'

const BINARY = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256))

/**
 * What must be the same from both servers: everything but the date, the port and connection handling.
 * `framing`: also how the body is delimited. node:http sends a body written after writeHead() chunked,
 * where hotcell, holding the whole body, sends its length; the baseline of a Node handler is node:http.
 */
function view(reply: Reply, framing = true): unknown {
  const headers = { ...reply.headers }
  for (const name of ['date', 'connection', 'keep-alive', 'transfer-encoding']) delete headers[name]
  if (!framing) delete headers['content-length']
  return { status: reply.status, statusText: reply.statusText, headers, body: reply.body.toString('base64').replace(/127\.0\.0\.1:\d+/g, 'HOST') }
}

for (const [name, entry, framing, cases] of [
  [
    'a fetch handler',
    'echo.ts',
    true,
    [
      ['/cookies', {}],
      ['/status?code=204', {}],
      ['/status?code=418', {}],
      ['/binary', { method: 'POST', body: BINARY }],
      ['/tagged?how=bytes&tag=x', {}],
      ['/tagged?how=stream&tag=x', {}],
      ['/big?mb=1', {}],
      ['/nowhere', {}],
    ],
  ],
  [
    'a Node (req, res) handler',
    'node-handler.ts',
    false,
    [
      ['/write-head', {}],
      ['/body', { method: 'PUT', body: BINARY }],
    ],
  ],
] as const) {
  describe(`bench --baseline, ${name}`, () => {
    let baseline: BaselineServer
    let hotcell: HotcellServer
    before(async () => {
      baseline = await withDeadline(startBaseline(fixture(entry), entry), 30_000, 'the baseline server to start')
      hotcell = await serve({ entry: fixture(entry), port: 0, host: '127.0.0.1', reload: false, quiet: true, workers: 1 })
    })
    after(async () => {
      await baseline?.close()
      await hotcell?.close()
    })

    for (const [path, options] of cases) {
      it(`answers ${path} as hotcell does`, async () => {
        const inline = await request(baseline.url + path, options)
        const isolated = await request(hotcell.url + path, options)
        // The /echo-style bodies carry the URL (and so the port): compared without it.
        assert.deepEqual(view(inline, framing), view(isolated, framing))
      })
    }
  })
}

describe('bench --baseline, the body of a JSON echo', () => {
  let baseline: BaselineServer
  before(async () => {
    baseline = await withDeadline(startBaseline(fixture('echo.ts'), 'echo.ts'), 30_000, 'the baseline server to start')
  })
  after(() => baseline?.close())

  it('gives the handler the method, URL, headers and binary body', async () => {
    const reply = await request(`${baseline.url}/echo?a=1`, { method: 'POST', headers: { 'x-one': '1' }, body: BINARY })
    const echoed = JSON.parse(reply.text)
    assert.equal(echoed.method, 'POST')
    assert.equal(echoed.url, `${baseline.url}/echo?a=1`)
    assert.deepEqual(echoed.query, { a: '1' })
    assert.ok(echoed.headers.some(([name, value]: [string, string]) => name === 'x-one' && value === '1'))
    assert.equal(echoed.bodyLength, BINARY.byteLength)
  })
})

// Run through hotcell's in-memory req and res (built to carry a response across the thread hop), a
// hello handler did half the req/s it does on node:http, and hotcell looked 0.9x the baseline, not 0.4x.
for (const entry of ['node-objects.ts', 'node-objects-listen.ts']) {
  describe(`bench --baseline, a Node handler (${entry})`, () => {
    let baseline: BaselineServer
    before(async () => {
      baseline = await withDeadline(startBaseline(fixture(entry), entry), 30_000, 'the baseline server to start')
    })
    after(() => baseline?.close())

    it("hands the handler node:http's own req and res, on the client's socket", async () => {
      const seen = JSON.parse((await request(`${baseline.url}/`)).text)
      assert.deepEqual(seen, { socket: 'Socket', netSocket: true, serverResponse: true, localPort: Number(new URL(baseline.url).port) })
    })
  })
}
