// A request body has a deadline between its bytes, not on the whole body: an
// upload over a slow link succeeds however long it takes, one that stops
// arriving gets 408, and the request log says 408 and why. On both request
// paths: the lean door (a small body of a declared length) and node:http (a
// chunked body). The deadline is shortened for the test (Config's bodyIdleMs).
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { after, before, describe, test } from 'node:test'
import { resolveConfig } from '../src/config/resolve-config.js'
import { startServer } from '../src/dev-server.js'
import { createLogger } from '../src/report/logger.js'
import type { HotcellServer } from '../src/server-api.js'
import { fixture, sink, waitFor, withDeadline } from './helpers.js'
import { open, parseReply } from './raw-http.js'

const IDLE_MS = 2000
// Three idle deadlines of upload in all, a piece every eighth of one: cut by any deadline on the whole body, never by the idle one.
const PIECES = 24
const EVERY_MS = IDLE_MS / 8
const PIECE = 'x'.repeat(100)
const H = 'Host: 127.0.0.1\r\n'

/** The two ways a body arrives: a declared length the lean door reads, or chunks that node:http reads. */
const shapes = [
  {
    path: 'lean door',
    head: (url: string) => `POST ${url} HTTP/1.1\r\n${H}Content-Length: ${PIECES * PIECE.length}\r\nConnection: close\r\n\r\n`,
    piece: PIECE,
    last: '',
  },
  {
    path: 'node:http',
    head: (url: string) => `POST ${url} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
    piece: `${PIECE.length.toString(16)}\r\n${PIECE}\r\n`,
    last: '0\r\n\r\n',
  },
]

/** Send `head`, then `pieces` one every EVERY_MS (stopping if the server closes), then `last`; resolve with all the server sent once it closes. */
async function upload(port: number, head: string, pieces: string[], last: string, ms: number): Promise<{ raw: string; sent: number }> {
  const socket = await open(port)
  let raw = ''
  socket.on('data', (c: Buffer) => (raw += c.toString('latin1')))
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.write(head)
  let sent = 0
  const drip = setInterval(() => {
    if (socket.destroyed) return clearInterval(drip)
    if (sent < pieces.length) return void socket.write(pieces[sent++]!)
    clearInterval(drip)
    socket.write(last)
  }, EVERY_MS)
  try {
    await withDeadline(closed, ms, 'the server to answer the upload and close')
  } finally {
    clearInterval(drip)
    socket.destroy()
  }
  return { raw, sent }
}

describe('a request body has an idle deadline, not a deadline on the whole body', () => {
  let server: HotcellServer
  const out = sink()
  // Requests node:http parsed (the lean door's never reach its channel).
  const byNode: string[] = []
  const onNodeRequest = (message: unknown) => void byNode.push((message as { request: { url: string } }).request.url)
  before(async () => {
    subscribe('http.server.request.start', onNodeRequest)
    const config = { ...resolveConfig({ entry: fixture('echo.ts'), port: 0, workers: 1, reload: false }), bodyIdleMs: IDLE_MS }
    server = await startServer(config, undefined, createLogger({ quiet: false, stdout: out, stderr: sink() }))
  })
  after(async () => {
    unsubscribe('http.server.request.start', onNodeRequest)
    await server?.close()
  })

  for (const shape of shapes) {
    const tag = shape.path === 'lean door' ? 'lean' : 'node'

    test(`${shape.path}: an upload that keeps coming for three idle deadlines gets 200`, async () => {
      const url = `/echo?slow=${tag}`
      const pieces = Array.from({ length: PIECES }, () => shape.piece)
      const { raw, sent } = await upload(server.port, shape.head(url), pieces, shape.last, PIECES * EVERY_MS + 15_000)
      const reply = parseReply(raw)
      assert.equal(reply.status, 200, `after ${sent} of ${PIECES} pieces: ${raw.slice(0, 300)}`)
      assert.equal(JSON.parse(reply.body.slice(reply.body.indexOf('{'), reply.body.lastIndexOf('}') + 1)).bodyLength, PIECES * PIECE.length)
      assert.equal(byNode.includes(url), shape.path === 'node:http', `served through ${shape.path}`)
    })

    test(`${shape.path}: a body that stops arriving gets 408 saying why, and is logged as a 408 with why`, async () => {
      const url = `/echo?stalled=${tag}`
      // Part of the body, then nothing.
      const { raw } = await upload(server.port, shape.head(url), [shape.piece, shape.piece], '', IDLE_MS + 15_000)
      const reply = parseReply(raw)
      assert.equal(reply.status, 408, raw.slice(0, 300))
      assert.match(reply.head, /\r\nconnection: close/i)
      assert.match(reply.body, /No bytes of the request body arrived for 2 s/)
      assert.equal(byNode.includes(url), shape.path === 'node:http', `served through ${shape.path}`)
      const line = await waitFor(
        () =>
          out
            .text()
            .split('\n')
            .find((l) => l.includes(`POST ${url} `)),
        10_000,
        'the request line of the stalled upload',
      )
      assert.match(line, / 408 [\d.]+ms · no bytes of the body for 2 s$/)
    })
  }
})
