// `Expect: 100-continue`: the client holds its body back until the server
// says `100 Continue`. A body declared over the limit must be refused at once,
// without that invitation; a body within it is invited and served.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, withDeadline } from './helpers.js'
import { checkCase, open } from './raw-http.js'

const H = 'Host: 127.0.0.1\r\n'

/** Send the head only; return what the server says before any body is sent (its first response head). */
async function headOnly(
  port: number,
  head: string,
): Promise<{ first: string; socket: Awaited<ReturnType<typeof open>>; all: () => string; closed: Promise<void> }> {
  const socket = await open(port)
  let received = ''
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('data', (c: Buffer) => (received += c.toString('latin1')))
  socket.on('error', () => {})
  socket.write(head)
  const first = await withDeadline(
    new Promise<string>((resolve) => {
      const check = () => {
        const end = received.indexOf('\r\n\r\n')
        if (end >= 0) {
          socket.off('data', check)
          resolve(received.slice(0, end))
        }
      }
      socket.on('data', check)
      check()
    }),
    10_000,
    'the first response head',
  )
  return { first, socket, all: () => received, closed }
}

describe('Expect: 100-continue', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL, bodyLimit: '1kb' })
  })
  after(() => server.close())

  test('a declared body over the limit gets 413 without 100 Continue, and never reaches the handler', async () => {
    await checkCase(server.url, 0, async () => {
      const reply = await headOnly(server.port, `POST /upload HTTP/1.1\r\n${H}Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n`)
      assert.match(reply.first, /^HTTP\/1\.1 413 /, reply.first)
      assert.doesNotMatch(reply.all(), /100 Continue/)
      assert.match(reply.first, /\r\nconnection: close\r\n/i)
      await withDeadline(reply.closed, 10_000, 'the server to close the connection')
    })
  })

  test('a body within the limit is invited with 100 Continue, then served', async () => {
    await checkCase(server.url, 1, async () => {
      const reply = await headOnly(server.port, `POST /upload HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`)
      assert.equal(reply.first, 'HTTP/1.1 100 Continue')
      reply.socket.write('hello')
      await withDeadline(reply.closed, 10_000, 'the response')
      assert.match(reply.all(), /\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*handler saw POST \/upload$/)
    })
  })
})
