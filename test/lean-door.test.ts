// The lean door (src/http/lean/) against node:http: the same raw requests to
// two servers of the same app, one with the lean door and one without
// (HOTCELL_NODE_HTTP=1), must get the same bytes back, Date and port aside.
// node:http's diagnostics channel tells which requests it handled itself.
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, waitFor, withDeadline } from './helpers.js'

const quiet = !process.env.DEBUG_HOTCELL

/** Requests node:http itself parsed, by the server's port. */
const handledByNode = new Map<number, number>()
const onNodeRequest = (message: unknown) => {
  const port = (message as { socket: { localPort: number } }).socket.localPort
  handledByNode.set(port, (handledByNode.get(port) ?? 0) + 1)
}

/** Write `parts` a little apart (a request split across reads), read until the server closes. */
function exchangeParts(port: number, parts: Buffer[]): Promise<string> {
  return withDeadline(
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      let out = ''
      socket.on('data', (chunk) => {
        out += chunk.toString('latin1')
      })
      socket.on('close', () => resolve(out))
      // A server that answers early and closes (a 413) can reset a client still writing.
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(out) : reject(error)))
      let i = 0
      const next = () => {
        socket.write(parts[i++]!)
        if (i < parts.length) setTimeout(next, 30)
      }
      next()
    }),
    10_000,
    'the server to answer and close',
  )
}

const H = 'Host: 127.0.0.1:PORT\r\n'
const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\n${H}${extra}\r\n`
const last = (path: string) => get(path, 'Connection: close\r\n')
const post = (path: string, body: string) => `POST ${path} HTTP/1.1\r\n${H}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`
const manyHeaders = Array.from({ length: 40 }, (_, i) => `X-H${i}: ${i}\r\n`).join('')

// [name, what is written (parts written apart), node:http must handle some of it]
const cases: [string, string[], boolean][] = [
  ['text, then a second request on the same connection', [get('/text') + last('/json?x=1')], false],
  ['bytes', [last('/bytes')], false],
  ['a null body: chunked, empty', [last('/empty')], false],
  ['204', [last('/status?code=204')], false],
  ['304', [last('/status?code=304')], false],
  ['404 with a body', [last('/status?code=404')], false],
  ['a status text and two set-cookie', [last('/cookies')], false],
  ['the app says connection: close', [get('/close') + last('/text')], false],
  ["the app's own date", [last('/own-date')], false],
  ["the app's own keep-alive header", [last('/keep-alive-header')], false],
  ['a stream: chunked', [last('/stream')], false],
  ['a stream with a content-length', [last('/stream-length')], false],
  [
    'HEAD of text, of a stream, of a null body',
    [`HEAD /text HTTP/1.1\r\n${H}\r\nHEAD /stream HTTP/1.1\r\n${H}\r\nHEAD /empty HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
    false,
  ],
  ['HTTP/1.0 without keep-alive', [`GET /text HTTP/1.0\r\n${H}\r\n`], false],
  ['HTTP/1.0 with keep-alive, then close', [`GET /text HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\nGET /json HTTP/1.0\r\n${H}\r\n`], false],
  ['HTTP/1.0 stream: ends with the connection', [`GET /stream HTTP/1.0\r\n${H}\r\n`], false],
  ['three pipelined in one write', [get('/text') + get('/bytes') + last('/json')], false],
  ['blank lines before and between requests', [`\r\n\r\n${get('/text')}\r\n${last('/json')}`], false],
  ['a request split across three writes', ['GET /json?split HTTP/1.1\r\nHo', 'st: 127.0.0.1:PORT\r\nConnection: cl', 'ose\r\n\r\n'], false],
  ['more than 32 header fields', [last(`/headers`).replace('\r\n\r\n', `\r\n${manyHeaders}\r\n`)], false],
  ['a thrown error: 500 page', [last('/throw')], false],
  ['a foreign Host: 403 from the gate', [`GET /text HTTP/1.1\r\nHost: evil.example\r\n\r\n`], false],
  ['two Host headers: 400 from the gate', [`GET /text HTTP/1.1\r\n${H}${H}\r\n`], false],
  ['malformed: 400 from the parser', [`GET /text HTTP/1.1\r\n${H}Bad Header\r\n\r\n`], false],
  ['a GET, a POST with a body and a GET, pipelined', [get('/text') + post('/echo', 'hello') + last('/json')], false],
  ['a POST split from its body, across three writes', [`POST /echo HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhe`, 'llo, wo', `rld${last('/json')}`], false],
  ['a body sent a byte at a time', [`POST /echo HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\n`, ...'hello world'.split(''), last('/text')], false],
  ['a GET with a body', [`GET /echo HTTP/1.1\r\n${H}Content-Length: 3\r\nConnection: close\r\n\r\nabc`], false],
  [
    'PUT with Content-Length: 0, DELETE and OPTIONS without',
    [post('/echo', '').replace('POST', 'PUT') + `DELETE /echo HTTP/1.1\r\n${H}\r\n` + `OPTIONS /echo HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
    false,
  ],
  ['a POST body with every byte value', [post('/echo-bytes', Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('latin1')) + last('/text')], false],
  ['a 64 KiB body: still lean', [post('/echo', 'x'.repeat(64 * 1024)) + last('/text')], false],
  ['a body over 64 KiB goes to node:http, after the lean GET before it', [get('/text') + post('/echo', 'y'.repeat(64 * 1024 + 1)) + last('/json')], true],
  ['a body over --body-limit: 413 from node:http', [post('/echo', 'z'.repeat(200 * 1024))], true],
  [
    'a lean POST, then a chunked one, pipelined: handed over after the first body',
    [post('/echo', 'first') + `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n6\r\nsecond\r\n0\r\n\r\n${last('/text')}`],
    true,
  ],
  ['a chunked body', [`POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${last('/text')}`], true],
  ['a GET with Expect: 100-continue', [`GET /text HTTP/1.1\r\n${H}Expect: 100-continue\r\nConnection: close\r\n\r\n`], true],
  ["hotcell's reserved path", [last('/__hotcell/nothing')], true],
  ['an absolute-form target', [`GET http://127.0.0.1:PORT/json HTTP/1.1\r\n${H}Connection: close\r\n\r\n`], true],
]

function normalized(raw: string, port: number): string {
  return raw
    .replaceAll(String(port), 'PORT')
    .replace(/^Date: .*$/gim, 'Date: -')
    .replace(/#\d+/g, '#n')
}

describe('the lean door answers as node:http does', () => {
  let lean: HotcellServer
  let node: HotcellServer
  before(async () => {
    subscribe('http.server.request.start', onNodeRequest)
    process.env.HOTCELL_NODE_HTTP = '1'
    const options = { entry: fixture('lean-shapes.ts'), port: 0, workers: 1, quiet, reload: false, bodyLimit: '128kb' }
    node = await serve(options)
    delete process.env.HOTCELL_NODE_HTTP
    lean = await serve(options)
  })
  after(async () => {
    unsubscribe('http.server.request.start', onNodeRequest)
    await Promise.all([lean?.close(), node?.close()])
  })

  for (const [name, parts, nodeHandles] of cases) {
    test(name, async () => {
      const replies: string[] = []
      const before = handledByNode.get(lean.port) ?? 0
      for (const server of [node, lean]) {
        const raw = await exchangeParts(
          server.port,
          parts.map((part) => Buffer.from(part.replaceAll('PORT', String(server.port)), 'latin1')),
        )
        replies.push(normalized(raw, server.port))
      }
      const [fromNode, fromLean] = replies as [string, string]
      assert.match(fromNode, /^HTTP\/1\.1 \d{3} /)
      assert.equal(fromLean, fromNode)
      const byNode = (handledByNode.get(lean.port) ?? 0) - before
      if (nodeHandles) assert.ok(byNode > 0, 'node:http handled part of it')
      else assert.equal(byNode, 0, 'node:http handled none of it')
    })
  }

  test('a client that half-closes after its request gets no response or a whole one, and the server goes on', async () => {
    // node:http (without allowHalfOpen) ends such a connection at once; a
    // response already on its way may or may not get out first (on Node 24
    // the lean door answered 1 time in 10, node:http 0). What must never be
    // sent is part of one.
    for (const server of [node, lean]) {
      for (let i = 0; i < 5; i++) {
        const raw = await withDeadline(
          new Promise<string>((resolve, reject) => {
            const socket = connect(server.port, '127.0.0.1')
            let out = ''
            socket.on('data', (chunk) => {
              out += chunk.toString('latin1')
            })
            socket.on('close', () => resolve(out))
            socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(out) : reject(error)))
            socket.end(get('/text').replace('PORT', String(server.port)))
          }),
          5_000,
          'the server to close',
        )
        if (raw !== '') assert.match(raw, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello, lean$/)
      }
      const after = await exchangeParts(server.port, [Buffer.from(last('/text').replace('PORT', String(server.port)))])
      assert.match(after, /\r\n\r\nhello, lean$/)
    }
  })

  test('an idle keep-alive connection is closed after the keep-alive timeout (5 s)', async () => {
    const socket = connect(lean.port, '127.0.0.1')
    let out = ''
    socket.on('data', (chunk) => {
      out += chunk.toString('latin1')
    })
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    socket.write(get('/text').replace('PORT', String(lean.port)))
    await waitFor(() => out.includes('hello, lean'), 5_000, 'the response')
    assert.match(out, /Keep-Alive: timeout=5/)
    await withDeadline(closed, 12_000, 'the server to close the idle connection')
  })
})
