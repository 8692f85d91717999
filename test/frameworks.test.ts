// The framework matrix: each example under examples/ served by
// hotcell, asserting what the framework must do, not just that it answers.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { ROOT, request, startCli, waitFor, withDeadline } from './helpers.js'

const quiet = !process.env.DEBUG_HOTCELL
const example = (path: string) => join(ROOT, 'examples', path)

/** Serve one example for the tests of a describe block. */
function serving(path: string): () => HotcellServer {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: example(path), port: 0, workers: 1, quiet })
  })
  after(() => server.close())
  return () => server
}

const json = async (url: string, options: Parameters<typeof request>[1] = {}) => {
  const res = await request(url, options)
  return { ...res, json: JSON.parse(res.text) as Record<string, unknown> }
}
const postJson = (url: string, body: unknown) => json(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** Read a streamed body; `reads` > 1 means it arrived in pieces as produced, not buffered to the end. */
async function readLive(url: string): Promise<{ status: number; type: string | null; text: string; reads: number }> {
  const res = await withDeadline(fetch(url), 10_000, `GET ${url}`)
  const reader = res.body!.getReader()
  let text = ''
  let reads = 0
  for (;;) {
    const { done, value } = await withDeadline(reader.read(), 5000, 'a streamed chunk')
    if (done) break
    reads++
    text += new TextDecoder().decode(value)
  }
  return { status: res.status, type: res.headers.get('content-type'), text, reads }
}

describe('Hono: export default app', () => {
  const server = serving('hono/app.ts')
  test('route params, JSON body and the streaming helper', async () => {
    assert.deepEqual((await json(`${server().url}/hello/ada`)).json, { hello: 'ada' })
    const posted = await postJson(`${server().url}/json`, { a: 1, b: [2] })
    assert.equal(posted.status, 201)
    assert.deepEqual(posted.json, { received: { a: 1, b: [2] }, keys: 2 })
    const streamed = await readLive(`${server().url}/stream`)
    assert.equal(streamed.text, 'line 1\nline 2\nline 3\n')
    assert.ok(streamed.reads >= 2, `streamText arrived in ${streamed.reads} read(s): buffered, not streamed`)
  })
})

describe('Hono: serve() from @hono/node-server', () => {
  const server = serving('hono/server.ts')
  test('the captured server answers with the same app', async () => {
    assert.deepEqual((await json(`${server().url}/hello/grace`)).json, { hello: 'grace' })
    assert.equal((await postJson(`${server().url}/json`, { x: true })).status, 201)
  })
})

describe('h3 v2: export default { fetch: app.fetch }', () => {
  const server = serving('h3/app.ts')
  test('routes, params, JSON body, 404', async () => {
    assert.equal((await request(`${server().url}/`)).text, 'hello from h3')
    assert.deepEqual((await json(`${server().url}/hello/linus`)).json, { hello: 'linus' })
    assert.deepEqual((await postJson(`${server().url}/json`, { n: 42 })).json, { received: { n: 42 } })
    assert.equal((await request(`${server().url}/nope`)).status, 404)
  })
})

describe('itty-router: a fetch function', () => {
  const server = serving('itty-router/app.ts')
  test('routes, params, query, 404', async () => {
    assert.deepEqual((await json(`${server().url}/hello/ken`)).json, { hello: 'ken' })
    assert.deepEqual((await json(`${server().url}/items/7?sort=desc`)).json, { id: 7, sort: 'desc' })
    assert.equal((await request(`${server().url}/nope`)).status, 404)
  })
})

describe('Express 5: export default app', () => {
  const server = serving('express/app.ts')
  test('express.json() parses the body; req.ip is the client address', async () => {
    const res = await postJson(`${server().url}/api/echo`, { name: 'hotcell', tags: ['a', 'b'] })
    assert.equal(res.status, 201)
    assert.deepEqual(res.json, { received: { name: 'hotcell', tags: ['a', 'b'] }, ip: '127.0.0.1' })
  })
  test('cookies are read (cookie-parser) and two Set-Cookie headers are sent', async () => {
    const res = await json(`${server().url}/api/visit`, { headers: { cookie: 'visits=2' } })
    assert.deepEqual(res.json, { visits: 3 })
    assert.deepEqual(res.headers['set-cookie'], ['visits=3; Path=/', 'seen=yes; Path=/; HttpOnly'])
  })
  test('Server-Sent Events written with res.write arrive live', async () => {
    const events = await readLive(`${server().url}/events`)
    assert.equal(events.type, 'text/event-stream')
    assert.equal(events.text, 'data: tick 0\n\ndata: tick 1\n\ndata: tick 2\n\n')
    assert.ok(events.reads >= 2, `events arrived in ${events.reads} read(s): buffered, not streamed`)
  })
  test('a client leaving an event stream emits close on req', async () => {
    const before = Number((await json(`${server().url}/api/closed`)).json.closed)
    const controller = new AbortController()
    const res = await fetch(`${server().url}/events?count=1000`, { signal: controller.signal })
    await withDeadline(res.body!.getReader().read(), 5000, 'the first event')
    controller.abort()
    await waitFor(async () => Number((await json(`${server().url}/api/closed`)).json.closed) > before, 5000, "the handler's req close")
  })
})

describe('Express 5: app.listen() through the CLI', () => {
  test('the entry runs unchanged, its listen callback runs, and the capture is logged once for two workers', async () => {
    const cli = await startCli(['examples/express/server.ts', '-p', '0', '-w', '2', '--quiet'])
    try {
      assert.equal((await request(`${cli.url}/`)).text, 'hello from express')
      const res = await postJson(`${cli.url}/api/echo`, { ok: 1 })
      assert.equal(res.json.ip, '127.0.0.1')
      await waitFor(() => (cli.output().match(/express listening on 3000/g)?.length ?? 0) >= 2, 5000, 'both workers to run the listen callback')
      const notices = cli.output().match(/calls listen\(3000\)/g) ?? []
      assert.equal(notices.length, 1, cli.output())
      assert.match(cli.output(), new RegExp(`serves the app's handler at ${cli.url.replace(/[.]/g, '\\.')}`))
    } finally {
      await cli.stop()
    }
  })
})

describe('Koa 3: app.listen()', () => {
  const server = serving('koa/server.ts')
  test('body, ctx.status and headers, a streaming body, 404', async () => {
    const created = await json(`${server().url}/notes`, { method: 'POST', body: 'note ✓' })
    assert.equal(created.status, 201)
    assert.equal(created.headers.location, '/notes/1')
    assert.deepEqual(created.json, { saved: 'note ✓', length: 8 })
    const counted = await readLive(`${server().url}/count?to=3`)
    assert.equal(counted.text, '1\n2\n3\n')
    assert.ok(counted.reads >= 2, `the stream arrived in ${counted.reads} read(s): buffered, not streamed`)
    const missing = await json(`${server().url}/nope`)
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.json, { error: 'no route for /nope' })
  })
})

describe('Fastify 5: await app.listen()', () => {
  const server = serving('fastify/server.ts')
  test('a JSON-schema route validates, params work, unknown routes are 404', async () => {
    assert.deepEqual((await postJson(`${server().url}/sum`, { a: 2, b: 40 })).json, { sum: 42 })
    const invalid = await postJson(`${server().url}/sum`, { a: 2 })
    assert.equal(invalid.status, 400)
    assert.equal(invalid.json.code, 'FST_ERR_VALIDATION')
    assert.match(String(invalid.json.message), /required property 'b'/)
    assert.deepEqual((await json(`${server().url}/hello/barbara`)).json, { hello: 'barbara' })
    assert.equal((await request(`${server().url}/`)).text, 'hello from fastify')
    const missing = await json(`${server().url}/nope`)
    assert.equal(missing.status, 404)
    assert.equal(missing.json.message, 'Route GET:/nope not found')
  })
})

describe('Fastify 5: the listening line the app prints itself', () => {
  test("address() reports hotcell's real host and port, so the app's own log line names the URL that answers", async () => {
    const cli = await startCli(['examples/fastify/server.ts', '-p', '0', '-w', '1', '--quiet'])
    try {
      await waitFor(() => /fastify listening at (\S+)/.exec(cli.output()), 5000, "the app's listening line")
      assert.equal(/fastify listening at (\S+)/.exec(cli.output())![1], cli.url, cli.output())
      assert.notEqual(new URL(cli.url).port, '3000')
    } finally {
      await cli.stop()
    }
  })
})

describe('node:http: createServer(handler).listen()', () => {
  const server = serving('node-http/server.ts')
  test('raw write/end stream chunk by chunk; the body stream and array headers work', async () => {
    const chunks = await readLive(`${server().url}/chunks`)
    assert.equal(chunks.text, 'one\ntwo\nthree\n')
    assert.ok(chunks.reads >= 2, `the chunks arrived in ${chunks.reads} read(s): buffered, not streamed`)
    const posted = await json(`${server().url}/upload`, { method: 'POST', body: Buffer.from([0, 1, 2, 255]) })
    assert.deepEqual(posted.json, { bytes: 4, first: 0, last: 255 })
    const raw = await json(`${server().url}/raw`)
    assert.deepEqual(raw.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/'])
    assert.equal(raw.json.remoteAddress, '127.0.0.1')
    assert.equal(raw.json.url, '/raw')
    assert.equal((await request(`${server().url}/`)).text, 'hello from node:http')
  })
})
