// Smuggling and malformed HTTP (cases in the style of llhttp's own suite and
// HTTP Garden's payloads), and the limits: body, headers, slowloris,
// connections. Each case is followed by a health request that must get 200,
// and none of them may reach the handler.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { MAX_CONNECTIONS } from '../src/http/server.js'
import { fixture, request, waitFor, withDeadline } from './helpers.js'
import { checkCase, exchange, open, parseReply } from './raw-http.js'

const quiet = !process.env.DEBUG_HOTCELL
const H = 'Host: 127.0.0.1\r\n'

describe('malformed and smuggling-shaped requests', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet, bodyLimit: '1kb' })
  })
  after(() => server.close())

  const cases: [string, string][] = [
    ['Content-Length with Transfer-Encoding (CL.TE)', `POST /x HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['Transfer-Encoding then Content-Length (TE.CL)', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`],
    ['duplicate Content-Length, different values', `POST /x HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`],
    ['Content-Length list "5, 5"', `POST /x HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`],
    ['negative Content-Length', `POST /x HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`],
    ['Content-Length with letters', `POST /x HTTP/1.1\r\n${H}Content-Length: 1x\r\n\r\nx`],
    ['Content-Length overflow', `POST /x HTTP/1.1\r\n${H}Content-Length: 18446744073709551616\r\n\r\n`],
    ['Transfer-Encoding: chunked not last', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`],
    ['Transfer-Encoding: ",chunked"', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n`],
    ['Transfer-Encoding: xchunked', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`],
    ['Transfer-Encoding: chunked twice', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['obs-fold in Transfer-Encoding', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: \r\n chunked\r\n\r\n0\r\n\r\n`],
    ['obs-fold in a header', `GET /x HTTP/1.1\r\n${H}X-Folded: a\r\n b\r\nConnection: close\r\n\r\n`],
    ['bare LF line endings', `GET /x HTTP/1.1\n${H.replace('\r\n', '\n')}Connection: close\n\n`],
    ['bare CR in a header value', `GET /x HTTP/1.1\r\n${H}X-A: a\rb\r\nConnection: close\r\n\r\n`],
    ['NUL in a header value', `GET /x HTTP/1.1\r\n${H}X-A: a\0b\r\nConnection: close\r\n\r\n`],
    ['NUL in the request target', `GET /x\0y HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
    ['space before the colon', `GET /x HTTP/1.1\r\nHost : 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['empty header name', `GET /x HTTP/1.1\r\n${H}: empty\r\nConnection: close\r\n\r\n`],
    ['"\\r\\n\\rX" header end (Garden Node #1)', `GET /x HTTP/1.1\r\n${H}\rX`],
    ['invalid character in the method', `G(T /x HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
    ['space inside the target', `GET /a b HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
    ['unknown HTTP version', `GET /x HTTP/1.7\r\n${H}Connection: close\r\n\r\n`],
    ['chunk size in hex with 0x prefix', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`],
    ['chunk size with + sign', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n`],
    ['chunk size not hex', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`],
    ['chunk data longer than its size', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n`],
    ['bare CR in a chunk extension (Garden Node #2)', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a=\rb\r\nhello\r\n0\r\n\r\n`],
    ['chunk size overflow', `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n`],
  ]
  for (const [name, bytes] of cases) {
    test(`${name} → 400 with Connection: close, never reaches a worker`, async () => {
      await checkCase(server.url, 0, async () => {
        const reply = await exchange(server.port, bytes)
        assert.equal(reply.status, 400, reply.raw.slice(0, 200))
        assert.match(reply.head, /\r\nconnection: close/i)
        // One response only: nothing smuggled behind it was answered.
        assert.equal(reply.raw.match(/HTTP\/1\.1 \d{3}/g)?.length, 1)
        assert.doesNotMatch(reply.raw, /<html|at \w+ \(/i, 'no HTML, no stack')
      })
    })
  }

  test('a second request smuggled after "Connection: close" is never answered nor handled', async () => {
    // llhttp flags data after a close-delimited request; the connection ends
    // with one 400. The first request may have started; the second never does.
    await checkCase(server.url, 'at most 1', async () => {
      const reply = await exchange(server.port, `GET /first HTTP/1.1\r\n${H}Connection: close\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n`)
      assert.equal(reply.raw.match(/HTTP\/1\.1 \d{3}/g)?.length, 1)
      assert.doesNotMatch(reply.raw, /smuggled/)
    })
  })

  test('body over --body-limit by Content-Length → 413 before the body is sent', async () => {
    await checkCase(server.url, 0, async () => {
      const reply = await exchange(server.port, `POST /x HTTP/1.1\r\n${H}Content-Length: 99999999\r\n\r\n`)
      assert.equal(reply.status, 413)
      // The option has the same name in the config file and serve(): the hint says so.
      assert.match(reply.body, /--body-limit 50mb\), or bodyLimit in hotcell\.config\.ts or serve\(\)/)
    })
  })

  test('chunked body crossing --body-limit → 413 as soon as it crosses, before the body ends', async () => {
    await checkCase(server.url, 0, async () => {
      const socket = await open(server.port)
      let out = ''
      socket.on('data', (c) => (out += c.toString('latin1')))
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.on('error', () => {})
      // 1 KiB limit: 3 chunks of 400 bytes cross it; the terminating chunk is never sent.
      socket.write(`POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`)
      for (let i = 0; i < 3; i++) socket.write(`190\r\n${'z'.repeat(400)}\r\n`)
      await withDeadline(closed, 10_000, 'the 413 and close')
      assert.equal(parseReply(out).status, 413)
    })
  })

  test('a header section over 16 KiB → 431; a 20 KB URL → 431', async () => {
    await checkCase(server.url, 0, async () => {
      const reply = await exchange(server.port, `GET /x HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`)
      assert.equal(reply.status, 431)
      assert.match(reply.head, /\r\nconnection: close\r\ncontent-length: 0$/i)
    })
    await checkCase(server.url, 0, async () => {
      assert.equal((await exchange(server.port, `GET /${'u'.repeat(20_000)} HTTP/1.1\r\n${H}\r\n`)).status, 431)
    })
  })

  test('chunk extensions over 16 KiB → 413 with Connection: close', async () => {
    await checkCase(server.url, 0, async () => {
      const reply = await exchange(server.port, `POST /x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1;ext=${'e'.repeat(20 * 1024)}\r\nx\r\n0\r\n\r\n`)
      assert.equal(reply.status, 413)
      assert.match(reply.head, /\r\nconnection: close\r\ncontent-length: 0$/i, "answered by hotcell's clientError mapping")
      assert.equal(reply.body, '')
    })
  })

  test('slowloris: headers dribbled one line a second get 408 (headersTimeout 10 s, checked every 1 s)', async () => {
    await checkCase(server.url, 0, async () => {
      const socket = await open(server.port)
      let out = ''
      socket.on('data', (c) => (out += c.toString('latin1')))
      socket.on('error', () => {})
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.write(`GET /x HTTP/1.1\r\n${H}`)
      // Bounded: at most 25 lines, one a second, stopping when the server closes.
      let lines = 0
      const drip = setInterval(() => {
        if (socket.destroyed || ++lines > 25) return clearInterval(drip)
        socket.write(`X-Slow-${lines}: ${lines}\r\n`)
      }, 1000)
      try {
        await withDeadline(closed, 25_000, 'the slowloris connection to be answered 408 and closed')
      } finally {
        clearInterval(drip)
        socket.destroy()
      }
      const reply = parseReply(out)
      assert.equal(reply.status, 408)
      assert.match(reply.head, /\r\nconnection: close\r\ncontent-length: 0$/i, "answered by hotcell's clientError mapping")
      assert.ok(lines < 25, 'the server waited for all the lines')
    })
  })
})

describe('connection cap', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet })
  })
  after(() => server.close())

  test(`connections beyond ${MAX_CONNECTIONS} are dropped; the server serves again once they go`, async () => {
    const held = []
    try {
      // Each held socket has sent half a request, so the server keeps it (for up to headersTimeout).
      for (let i = 0; i < MAX_CONNECTIONS; i++) {
        const s = await open(server.port)
        s.on('error', () => {})
        s.write(`GET /held HTTP/1.1\r\n${H}`)
        held.push(s)
      }
      // The server accepts asynchronously: retry until an extra connection is dropped unanswered.
      const dropped = await withDeadline(
        (async () => {
          for (let attempt = 0; attempt < 50; attempt++) {
            const reply = await exchange(server.port, `GET /health HTTP/1.1\r\n${H}Connection: close\r\n\r\n`)
            if (reply.status === undefined) return true
            await new Promise((r) => setTimeout(r, 50))
          }
          return false
        })(),
        15_000,
        'an extra connection to be dropped',
      )
      assert.ok(dropped, `a connection beyond ${MAX_CONNECTIONS} was served`)
    } finally {
      for (const s of held) s.destroy()
    }
    // The server learns of the closed sockets asynchronously.
    await waitFor(async () => (await request(`${server.url}/health`)).status === 200, 10_000, 'the server to accept again')
    await checkCase(server.url, 0, async () => {})
  })
})
