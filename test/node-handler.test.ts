// Node-style (req, res) handlers: the request/response pair behaves like Node's.
import assert from 'node:assert/strict'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, projectDir, request, waitFor, withDeadline } from './helpers.js'

const quiet = !process.env.DEBUG_HOTCELL

describe('Node (req, res) handler', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('node-handler.ts'), port: 0, workers: 1, quiet })
  })
  after(() => server.close())
  type Stats = { written: number; reqClosed: number; resClosed: number; finished: { finish: number; resClose: number; reqClose: number } }
  const stats = async () => JSON.parse((await request(`${server.url}/stats`)).text) as Stats

  test('method, url, rawHeaders with repeats, cookie and the client address reach req', async () => {
    const res = await request(`${server.url}/raw?q=1`, { method: 'DELETE', headers: { 'x-multi': ['one', 'two'], cookie: ['a=1', 'b=2'] } })
    assert.equal(res.status, 200)
    const seen = JSON.parse(res.text)
    assert.equal(seen.method, 'DELETE')
    assert.equal(seen.url, '/raw?q=1')
    const raw: string[] = seen.rawHeaders
    const values = (name: string) => raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [raw[i + 1]] : []))
    assert.deepEqual(values('x-multi'), ['one', 'two'])
    // Node joins repeated Cookie headers with "; ", not ", ".
    assert.equal(seen.cookie, 'a=1; b=2')
    assert.equal(seen.remoteAddress, '127.0.0.1')
    assert.ok(Number.isInteger(seen.remotePort) && seen.remotePort > 0, `remotePort ${seen.remotePort}`)
    assert.equal(seen.httpVersion, '1.1')
  })

  test('writeHead with a reason and array headers; setHeader with an array keeps two Set-Cookie', async () => {
    const res = await request(`${server.url}/write-head`)
    assert.equal(res.status, 202)
    assert.equal(res.statusText, 'Taken Care Of')
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/; HttpOnly'])
    assert.equal(res.headers['x-list'], 'one, two')
    assert.equal(res.text, 'accepted')
  })

  test('a HEAD request gets the head the handler wrote and no body', async () => {
    const res = await request(`${server.url}/write-head`, { method: 'HEAD' })
    assert.equal(res.status, 202)
    assert.equal(res.headers['x-list'], 'one, two')
    assert.equal(res.headers['content-type'], 'text/plain')
    // As from node:http itself: res.end('accepted') on a HEAD request sets no Content-Length.
    assert.equal(res.headers['content-length'], undefined)
    assert.equal(res.body.length, 0)
  })

  test('Early Hints before the head leave the response whole; a latin1 string body is sent as latin1 bytes', async () => {
    const hinted = await request(`${server.url}/early-hints`)
    assert.equal(hinted.status, 200)
    assert.equal(hinted.text, 'after the hints')
    const latin1 = await request(`${server.url}/latin1`)
    assert.deepEqual([...latin1.body], [0x63, 0x61, 0x66, 0xe9])
  })

  test("an app's own Transfer-Encoding or Trailer header leaves the body unframed; trailers are dropped", async () => {
    const chunked = await request(`${server.url}/chunked`)
    assert.equal(chunked.status, 200)
    assert.equal(chunked.text, 'one two')
    const trailers = await request(`${server.url}/trailers`)
    assert.equal(trailers.status, 200)
    assert.equal(trailers.text, 'part1 part2')
  })

  test('a non-ASCII Content-Disposition with a Content-Length is sent as node:http sends it, not a 500', async () => {
    const res = await request(`${server.url}/disposition`)
    assert.equal(res.status, 200)
    assert.equal(res.text, 'pdf')
    const raw = res.rawHeaders[res.rawHeaders.findIndex((name) => name.toLowerCase() === 'content-disposition') + 1]!
    // node:http's own bytes: each é became U+FFFD, in UTF-8 (EF BF BD), read back here as latin1.
    assert.equal(Buffer.from(raw, 'latin1').toString('utf8'), 'attachment; filename="r\ufffdsum\ufffd.pdf"')
  })

  test('a body without Content-Type gets none, as from node:http; a status a Response refuses is a 500 at once', async () => {
    const untyped = await request(`${server.url}/untyped`)
    assert.equal(untyped.status, 200)
    assert.equal(untyped.headers['content-type'], undefined)
    assert.equal(untyped.text, '<!doctype html><h1>Hi</h1>')
    const odd = await request(`${server.url}/status-600`, { timeoutMs: 5_000 })
    assert.equal(odd.status, 500)
  })

  test('a response that ends emits finish and close on res and close on req, as a Node server does', async () => {
    const before = (await stats()).finished
    assert.equal((await request(`${server.url}/finished`)).text, 'done')
    await waitFor(
      async () => {
        const now = (await stats()).finished
        return now.finish > before.finish && now.resClose > before.resClose && now.reqClose > before.reqClose
      },
      5000,
      "'finish' and 'close' on res, 'close' on req",
    )
  })

  test('req is a readable stream of the body, byte-exact (1 MiB, all byte values)', async () => {
    const body = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 9)) & 0xff
    const res = await request(`${server.url}/body`, { method: 'POST', body, timeoutMs: 20_000 })
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(body), 'echoed bytes differ')
  })

  test('a GET with a body: the Node handler reads it, as from node:http (express.json() on every route)', async () => {
    // Node's client frames a GET body only with a Content-Length given.
    const res = await request(`${server.url}/body`, { body: '{"d":1}', headers: { 'content-type': 'application/json', 'content-length': '7' } })
    assert.equal(res.status, 200)
    assert.equal(res.text, '{"d":1}')
  })

  test('res.write waits for drain while the client does not read, then delivers everything', async () => {
    const before = (await stats()).written
    const { res, destroy } = await openStream(`${server.url}/flood`)
    res.pause()
    await waitFor(async () => (await stats()).written > before, 5000, 'the handler to start writing')
    // Without backpressure the handler writes all 1024 chunks at once; with
    // it, it stops after what the credits and socket buffers hold.
    for (let i = 0; i < 5; i++) {
      const written = (await stats()).written - before
      assert.ok(written < 1024, `the handler wrote ${written} of 1024 chunks to a client that reads nothing`)
    }
    let received = 0
    res.on('data', (c: Buffer) => (received += c.length))
    res.resume()
    await withDeadline(new Promise((r) => res.once('end', r)), 30_000, 'the whole 64 MiB')
    assert.equal(received, 64 * 1024 * 1024)
    destroy()
  })

  test('a client that disconnects emits close on req and res', async () => {
    const before = await stats()
    const { res, destroy } = await openStream(`${server.url}/hang`)
    await withDeadline(new Promise((r) => res.once('data', r)), 5000, 'the first chunk')
    destroy()
    await waitFor(
      async () => {
        const now = await stats()
        return now.reqClosed > before.reqClosed && now.resClosed > before.resClosed
      },
      5000,
      'close on req and res',
    )
  })

  test('a synchronous throw and an async rejection are 500 error pages naming the error', async () => {
    const thrown = await request(`${server.url}/throw`)
    assert.equal(thrown.status, 500)
    assert.match(thrown.text, /thrown synchronously by a node handler/)
    // Only the developer's frames: not hotcell's, which call the handler.
    assert.doesNotMatch(thrown.text, /dist\/workers|node-adapter|node-exchange/)
    const rejected = await request(`${server.url}/reject`, { timeoutMs: 10_000 })
    assert.equal(rejected.status, 500)
    assert.match(rejected.text, /rejected by an async node handler/)
    assert.equal((await request(`${server.url}/raw`)).status, 200)
  })
})

describe('Node (req, res) handler past --timeout', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('node-handler.ts'), port: 0, workers: 1, quiet, timeout: '500ms' })
  })
  after(() => server.close())

  test('a handler that never answers gets the 504, as a fetch handler does (its req is destroyed meanwhile)', async () => {
    const res = await request(`${server.url}/silent`, { timeoutMs: 10_000 })
    assert.equal(res.status, 504)
    assert.match(res.text, /\/silent did not answer within 500 ms/)
    // In a Node handler's terms, not a fetch handler's.
    assert.match(res.text, /a res\.end\(\) never called\?/)
    assert.doesNotMatch(res.text, /request\.signal/)
    assert.equal((await request(`${server.url}/raw`)).status, 200)
  })
})

describe('handler shapes', () => {
  test('--handler node runs a one-parameter function as a Node handler', async () => {
    const project = projectDir({ 'app.ts': 'export default function (req: any) { req.res.end("node: " + req.url) }\n' })
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet, handler: 'node' })
    try {
      assert.equal((await request(`${server.url}/x`)).text, 'node: /x')
    } finally {
      await server.close()
      project.remove()
    }
  })

  test('a two-parameter fetch function runs with --handler fetch, and without it the 500 says to pass it', async () => {
    const project = projectDir({
      'app.ts': 'export default (request: Request, env: Record<string, string>) => new Response("fetch " + request.method + " " + typeof env)\n',
    })
    try {
      const asFetch = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet, handler: 'fetch' })
      try {
        assert.equal((await request(`${asFetch.url}/x`)).text, 'fetch GET object')
      } finally {
        await asFetch.close()
      }
      const guessed = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: true })
      try {
        const res = await request(`${guessed.url}/x`)
        assert.equal(res.status, 500)
        assert.match(res.text, /returned a Response: it is a fetch handler\. Start hotcell with --handler fetch/)
      } finally {
        await guessed.close()
      }
    } finally {
      project.remove()
    }
  })

  test('an entry with no default export and no server explains the three ways to expose a handler', async () => {
    const project = projectDir({ 'app.ts': 'export const handler = () => new Response("hi")\n' })
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: true })
    try {
      const res = await request(server.url)
      assert.equal(res.status, 500)
      assert.match(res.text, /no default export/)
      assert.match(res.text, /It has only named exports: handler\. It starts no server either\./)
      assert.match(res.text, /export default \{ fetch/)
      assert.match(res.text, /export default \(req, res\)/)
      assert.match(res.text, /app\.listen\(3000\)/)
    } finally {
      await server.close()
      project.remove()
    }
  })

  test('a default-exported http.Server, Koa app and Fastify instance are served', async () => {
    const project = projectDir({
      'server.ts': 'import { createServer } from "node:http"\nexport default createServer((req, res) => res.end("server " + req.method))\n',
      'koa.ts': 'import Koa from "koa"\nconst app = new Koa()\napp.use((ctx) => { ctx.body = "koa " + ctx.path })\nexport default app\n',
      'fastify.ts': 'import Fastify from "fastify"\nconst app = Fastify()\napp.get("/f", async () => ({ fastify: true }))\nexport default app\n',
    })
    try {
      for (const [file, path, expected] of [
        ['server.ts', '/', 'server GET'],
        ['koa.ts', '/k', 'koa /k'],
        ['fastify.ts', '/f', '{"fastify":true}'],
      ] as const) {
        const server = await serve({ entry: `${project.dir}/${file}`, port: 0, workers: 1, quiet })
        try {
          assert.equal((await request(`${server.url}${path}`)).text, expected, file)
        } finally {
          await server.close()
        }
      }
    } finally {
      project.remove()
    }
  })
})

/** A GET whose response is read by the caller; `destroy()` drops the connection. */
function openStream(url: string): Promise<{ res: IncomingMessage; destroy(): void }> {
  return withDeadline(
    new Promise((resolve, reject) => {
      const req = httpRequest(url, { agent: false }, (res) => resolve({ res, destroy: () => req.destroy() }))
      req.on('error', reject)
      req.end()
    }),
    10_000,
    `GET ${url}`,
  )
}
