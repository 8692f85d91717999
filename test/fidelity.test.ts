// Request/response fidelity through the worker pool.
import assert from 'node:assert/strict'
import { Agent, get as httpGet } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, request, serveProject, waitFor, withDeadline } from './helpers.js'

describe('request and response fidelity', () => {
  let server: HotcellServer
  before(async () => {
    process.env.HOTCELL_TEST_VALUE = 'from-env'
    server = await serve({ entry: fixture('echo.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL, bodyLimit: '6mb' })
  })
  after(() => server.close())

  test('method, absolute URL, query and repeated headers reach the handler', async () => {
    const res = await request(`${server.url}/echo?a=1&b=two%20words`, {
      method: 'PATCH',
      headers: { 'x-multi': ['one', 'two'], 'content-type': 'text/plain' },
      body: 'hello',
    })
    assert.equal(res.status, 200)
    const seen = JSON.parse(res.text)
    assert.equal(seen.method, 'PATCH')
    assert.equal(seen.url, `${server.url}/echo?a=1&b=two%20words`)
    assert.deepEqual(seen.query, { a: '1', b: 'two words' })
    // Headers joins repeated request headers with ", " per the fetch spec.
    assert.deepEqual(
      seen.headers.find(([k]: string[]) => k === 'x-multi'),
      ['x-multi', 'one, two'],
    )
    assert.equal(seen.bodyLength, 5)
  })

  test('every reply reaches its own request: 400 requests, 50 at a time, finishing out of order in four ways', async () => {
    const ways = ['text', 'bytes', 'stream'] as const
    const mismatches: string[] = []
    let next = 0
    const client = async () => {
      while (next < 400) {
        const i = next++
        // A few throw: a failure frees its place on the lane too.
        const how = i % 40 === 3 ? 'throw' : ways[i % 3]!
        const res = await request(`${server.url}/tagged?tag=${i}&how=${how}&ms=${(i * 37) % 23}`, { timeoutMs: 20_000 })
        const expected = how === 'throw' ? `failed ${i}` : `${how === 'stream' ? 'streamed' : how} ${i}`
        const ok = how === 'throw' ? res.status === 500 && res.text.includes(expected) : res.status === 200 && res.text === expected
        if (!ok) mismatches.push(`#${i} (${how}) got ${res.status} ${res.text.slice(0, 80)}`)
      }
    }
    await Promise.all(Array.from({ length: 50 }, client))
    assert.deepEqual(mismatches, [])
  })

  test('a burst answered in one turn (replies leave in groups of 8): each reaches its own request', async () => {
    // 96 requests at once with no delay: their replies are made in the same
    // turns of the worker, more than 8 at a time, a stream among them.
    const results = await Promise.all(
      Array.from({ length: 96 }, async (_, i) => {
        const how = i % 10 === 7 ? 'stream' : i % 2 ? 'bytes' : 'text'
        const res = await request(`${server.url}/tagged?tag=${i}&how=${how}&ms=0`, { timeoutMs: 20_000 })
        return res.status === 200 && res.text === `${how === 'stream' ? 'streamed' : how} ${i}`
          ? ''
          : `#${i} (${how}) got ${res.status} ${res.text.slice(0, 80)}`
      }),
    )
    assert.deepEqual(
      results.filter((r) => r !== ''),
      [],
    )
  })

  test('a GET has no body', async () => {
    const seen = JSON.parse((await request(`${server.url}/echo`)).text)
    assert.equal(seen.hasBody, false)
  })

  test('status, status text and repeated response headers survive; two Set-Cookie stay two', async () => {
    const res = await request(`${server.url}/cookies`)
    assert.equal(res.status, 201)
    assert.equal(res.statusText, 'Made It')
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/; HttpOnly'])
    assert.equal(res.headers['x-custom'], 'one')
    assert.equal(res.text, 'created')
  })

  test('binary bodies are byte-exact both ways (all 256 byte values, 5 MiB)', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024)
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 11)) & 0xff
    const res = await request(`${server.url}/binary`, { method: 'POST', body, timeoutMs: 20_000 })
    assert.equal(res.status, 200)
    assert.equal(res.body.length, body.length)
    assert.ok(res.body.equals(body), 'echoed bytes differ')
    const small = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    assert.ok((await request(`${server.url}/binary`, { method: 'PUT', body: small })).body.equals(small))
  })

  test('HEAD, 204 and 304 send no body', async () => {
    for (const [path, method, status] of [
      ['/cookies', 'HEAD', 201],
      ['/status?code=204', 'GET', 204],
      ['/status?code=304', 'GET', 304],
    ] as const) {
      const raw = await rawRequest(server.port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
      const [head, ...rest] = raw.split('\r\n\r\n')
      assert.match(head!, new RegExp(`^HTTP/1.1 ${status} `), `${method} ${path}`)
      assert.equal(rest.join('\r\n\r\n'), '', `${method} ${path} sent a body`)
    }
  })

  test('a body over the limit is answered 413 and the server keeps serving', async () => {
    const res = await request(`${server.url}/binary`, { method: 'POST', body: Buffer.alloc(7 * 1024 * 1024) }).catch((e: Error) => e)
    // The server may close the connection while the client still sends; both are a refusal.
    if (!(res instanceof Error)) assert.equal(res.status, 413)
    const chunked = await rawRequest(
      server.port,
      `POST /binary HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${'600000\r\n' + 'x'.repeat(0x600000) + '\r\n'}${'100000\r\n' + 'y'.repeat(0x100000) + '\r\n'}0\r\n\r\n`,
    )
    assert.match(chunked, /^HTTP\/1.1 413 /)
    assert.equal((await request(`${server.url}/echo`)).status, 200)
  })

  test('Server-Sent Events arrive as they are produced, not at the end', async () => {
    const arrivals: number[] = []
    const started = Date.now()
    const res = await fetch(`${server.url}/sse`)
    assert.equal(res.headers.get('content-type'), 'text/event-stream')
    const reader = res.body!.getReader()
    let text = ''
    for (;;) {
      const { done, value } = await withDeadline(reader.read(), 5000, 'an SSE chunk')
      if (done) break
      arrivals.push(Date.now() - started)
      text += new TextDecoder().decode(value)
    }
    assert.equal(text.match(/data: event \d/g)?.length, 3)
    // The handler sleeps between events: live delivery means the first event
    // was read while the last one had not been produced yet.
    assert.ok(arrivals.length >= 2, `events arrived in ${arrivals.length} read(s): buffered, not streamed`)
  })

  test('a client that disconnects aborts request.signal and cancels the response stream', async () => {
    const controller = new AbortController()
    const res = await fetch(`${server.url}/forever`, { signal: controller.signal })
    const reader = res.body!.getReader()
    await withDeadline(reader.read(), 5000, 'first tick')
    controller.abort()
    const events = await waitFor(
      async () => {
        const list = JSON.parse((await request(`${server.url}/events`)).text) as string[]
        return list.includes('aborted') && list.includes('cancelled') ? list : undefined
      },
      5000,
      'the worker to see the abort and the cancel',
    )
    assert.ok(events.includes('aborted') && events.includes('cancelled'))
  })

  test('a streamed response that ends by itself does not abort request.signal; the client is still there', async () => {
    const agent = new Agent({ keepAlive: true })
    try {
      const text = await withDeadline(
        new Promise<string>((resolve, reject) => {
          httpGet(`${server.url}/finite`, { agent }, (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => (body += chunk))
            res.on('end', () => resolve(body))
          }).on('error', reject)
        }),
        5000,
        'the streamed body',
      )
      assert.equal(text, 'a\nb\n')
      // The client keeps its connection open; the worker saw the stream's end before this request came.
      const events = JSON.parse((await request(`${server.url}/events`)).text) as string[]
      assert.deepEqual(
        events.filter((event) => event.startsWith('finite')),
        [],
      )
    } finally {
      agent.destroy()
    }
  })

  test('env and ctx.waitUntil reach the handler, which runs off the main thread', async () => {
    const seen = JSON.parse((await request(`${server.url}/env`)).text)
    assert.deepEqual(seen, { value: 'from-env', isMainThread: false })
    await waitFor(
      async () => (JSON.parse((await request(`${server.url}/events`)).text) as string[]).includes('waitUntil done'),
      5000,
      'waitUntil work to finish',
    )
  })
})

/** Write raw bytes, read until the server closes the connection. */
export function rawRequest(port: number, data: string): Promise<string> {
  return withDeadline(
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      let out = ''
      socket.on('data', (c) => (out += c.toString('latin1')))
      socket.on('end', () => resolve(out))
      socket.on('close', () => resolve(out))
      socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(out) : reject(e)))
      socket.write(data)
    }),
    10_000,
    'a raw response',
  )
}

// The bundle would otherwise name functions and classes as esbuild does:
// an anonymous default export after its file (`app_default`), and the
// second of two classes named alike `Widget2`.
test('functions and classes keep their source names: `default` in a stack, two Widget classes both Widget', async () => {
  const { server } = await serveProject({
    'a.ts': 'export class Widget {}\n',
    'b.ts': 'export class Widget {}\n',
    'app.ts':
      "import { Widget as A } from './a.ts'\nimport { Widget as B } from './b.ts'\n" +
      'export default (_req: unknown, res: { end(s: string): void }) => {\n' +
      "  res.end(JSON.stringify({ a: A.name, b: B.name, frame: new Error('where').stack!.split('\\n')[1]!.trim() }))\n" +
      '}\n',
  })
  const seen = JSON.parse((await request(server.url)).text) as { a: string; b: string; frame: string }
  assert.equal(seen.a, 'Widget')
  assert.equal(seen.b, 'Widget')
  assert.match(seen.frame, /^at default \(.*app\.ts:4:\d+\)$/)
})

// What a handler reads of hotcell's Request and Response stand-ins, against Node's own.
test("Response's conversions and checks, and the stand-ins' names, are Node's; returning Response.error() is the handler's mistake", async () => {
  const { server } = await serveProject({
    'app.ts':
      'export default { fetch(request: Request) {\n' +
      "  if (new URL(request.url).pathname === '/error') return Response.error()\n" +
      "  let statusText = 'accepted'\n" +
      "  try { new Response('x', { statusText: 'bad\\nline' }) } catch (e) { statusText = (e as Error).name + ': ' + (e as Error).message }\n" +
      '  return Response.json({\n' +
      "    statuses: [new Response('x', { status: '201' as unknown as number }).status, new Response('x', { status: 201.7 }).status],\n" +
      '    statusText,\n' +
      '    names: [Response.name, Request.name, fetch.name, request.constructor.name, new Response().constructor.name],\n' +
      '  })\n' +
      '} }\n',
  })
  assert.deepEqual(JSON.parse((await request(server.url)).text), {
    statuses: [201, 201],
    statusText: 'TypeError: Invalid statusText',
    names: ['Response', 'Request', 'fetch', 'Request', 'Response'],
  })
  const error = await request(`${server.url}/error`)
  assert.equal(error.status, 500)
  assert.match(error.text, /The handler returned Response\.error\(\), a network error/)
})
