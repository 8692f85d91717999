// A complete body of 8 KiB to 1 MiB reaches the main thread through the
// worker's body arena (src/pool/body-arena.ts), written to the socket from
// shared memory: the bytes must arrive as sent, whatever the other requests,
// the socket or the worker do meanwhile.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { request, serveProject, waitFor, withDeadline } from './helpers.js'

const MiB = 1024 * 1024

// Every body says its own digest in a header, computed in the worker from the bytes it sent.
const APP = `
import { createHash, randomBytes } from 'node:crypto'
let made = 0
let gated: Array<() => void> = []
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const n = Number(url.searchParams.get('n') ?? 0)
    const gate = Number(url.searchParams.get('gate') ?? 0)
    // Answer a whole group in one turn: the worker fills the arena before the main thread can free anything.
    if (gate > 0) await new Promise<void>((resolve) => {
      gated.push(resolve)
      if (gated.length >= gate) for (const go of gated.splice(0)) go()
    })
    switch (url.pathname) {
      case '/bytes': {
        const bytes = randomBytes(n)
        made++
        return new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'x-digest': digest(bytes) } })
      }
      case '/text': {
        const text = 'aé€😀'.repeat(Math.ceil(n / 4)).slice(0, n)
        made++
        return new Response(text, { headers: { 'x-digest': digest(Buffer.from(text)) } })
      }
      case '/made':
        return new Response(String(made))
      case '/hang':
        return new Promise<Response>(() => {})
      case '/exit':
        process.exit(3)
    }
    return new Response('not found', { status: 404 })
  },
}
`

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** The responses of a raw connection, read once the socket has `count` of them: status, headers and body of each. */
function rawResponses(socket: Socket, count: number): Promise<Array<{ status: number; headers: Record<string, string>; body: Buffer }>> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0)
    const out: Array<{ status: number; headers: Record<string, string>; body: Buffer }> = []
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk])
      for (;;) {
        const end = data.indexOf('\r\n\r\n')
        if (end < 0) return
        const lines = data.subarray(0, end).toString('latin1').split('\r\n')
        const headers: Record<string, string> = {}
        for (const line of lines.slice(1)) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim()
        const length = Number(headers['content-length'])
        if (data.byteLength < end + 4 + length) return
        out.push({ status: Number(lines[0]!.split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + length) })
        data = data.subarray(end + 4 + length)
        if (out.length === count) return resolve(out)
      }
    })
  })
}

/**
 * A connection that asks for `count` bodies of `size` bytes, pipelined, and
 * reads nothing until `resume()`: once the kernel's buffers are full, the
 * main thread holds the rest of the bytes, lent from the arena.
 */
async function pausedClient(url: string, count: number, size: number) {
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.pause()
  const responses = rawResponses(socket, count)
  socket.write(`GET /bytes?n=${size} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(count))
  return {
    async resume() {
      socket.resume()
      const all = await withDeadline(responses, 20_000, `the paused connection's ${count} responses`)
      socket.destroy()
      return all
    },
  }
}

async function made(url: string): Promise<number> {
  return Number((await request(`${url}/made`)).text)
}

function assertWhole(reply: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }, size: number, what: string): void {
  assert.equal(reply.status, 200, what)
  assert.equal(reply.headers['content-length'], String(reply.body.byteLength), `${what}: Content-Length`)
  assert.equal(reply.body.byteLength >= size, true, `${what}: ${reply.body.byteLength} bytes`)
  assert.equal(sha(reply.body), reply.headers['x-digest'], `${what}: the bytes the worker sent`)
}

describe('response bodies through the body arena', () => {
  test('random bytes of 8 KiB, 64 KiB and 1 MiB, and non-ASCII text, arrive intact, with their Content-Length; HEAD sends none; node:http writes them too', async () => {
    const { server } = await serveProject({ 'app.ts': APP })
    for (const size of [8 * 1024, 64 * 1024, 100_000, MiB, 2 * MiB]) {
      assertWhole(await request(`${server.url}/bytes?n=${size}`), size, `${size} random bytes`)
      assertWhole(await request(`${server.url}/text?n=${size}`), size, `${size} characters of text`)
    }
    // One keep-alive connection: a HEAD's lent body is not written, and the next response on it is whole.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const head = await new Promise<{ status: number; length: string | undefined; bytes: number }>((resolve, reject) => {
        httpRequest(`${server.url}/bytes?n=${64 * 1024}`, { method: 'HEAD', agent }, (res) => {
          let bytes = 0
          res.on('data', (c: Buffer) => (bytes += c.byteLength))
          res.on('end', () => resolve({ status: res.statusCode!, length: res.headers['content-length'], bytes }))
        })
          .on('error', reject)
          .end()
      })
      assert.deepEqual(head, { status: 200, length: String(64 * 1024), bytes: 0 })
      const next = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        httpRequest(`${server.url}/bytes?n=${64 * 1024}`, { agent }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
        })
          .on('error', reject)
          .end()
      })
      assertWhole(next, 64 * 1024, 'the GET after a HEAD on the same connection')
    } finally {
      agent.destroy()
    }
    // A chunked request body hands the connection to node:http (lean/lean-connection.ts).
    const viaNodeHttp = await request(`${server.url}/bytes?n=${MiB}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: 'x' })
    assertWhole(viaNodeHttp, MiB, 'a 1 MiB body written by node:http')
  })

  test('a Node (req, res) handler: bytes and a string given to res.end() arrive intact', async () => {
    const { server } = await serveProject({
      'app.ts': `
import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
export default createServer((req, res) => {
  const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'))
  const body = req.url?.startsWith('/text') ? 'ü'.repeat(n) : randomBytes(n)
  res.setHeader('x-digest', createHash('sha256').update(body).digest('hex'))
  res.end(body)
})
`,
    })
    for (const size of [16 * 1024, 300_000]) {
      assertWhole(await request(`${server.url}/bytes?n=${size}`), size, `${size} bytes from res.end()`)
      assertWhole(await request(`${server.url}/text?n=${size}`), size, `${size} characters from res.end()`)
    }
  })

  test('with the arena full (a slow client holding lent bytes, 24 bodies answered in one turn), every body still arrives intact', async () => {
    const { server } = await serveProject({ 'app.ts': APP })
    const before = await made(server.url)
    const slow = await pausedClient(server.url, 6, MiB)
    await waitFor(async () => (await made(server.url)) >= before + 6, 10_000, 'the slow connection’s six bodies made')
    const sizes = Array.from({ length: 24 }, (_, i) => 200_000 + i * 7_000)
    const replies = await Promise.all(sizes.map((size) => request(`${server.url}/bytes?n=${size}&gate=24`, { timeoutMs: 20_000 })))
    for (const [i, reply] of replies.entries()) assertWhole(reply, sizes[i]!, `body ${i} of the group, ${sizes[i]} bytes`)
    const held = await slow.resume()
    for (const [i, reply] of held.entries()) assertWhole(reply, MiB, `the slow connection's body ${i}`)
  })

  test("a worker dying while its bodies are still being written: its in-flight requests get 502, the bodies it answered and the next worker's arrive intact", async () => {
    const { server } = await serveProject({ 'app.ts': APP })
    const before = await made(server.url)
    const slow = await pausedClient(server.url, 6, MiB)
    await waitFor(async () => (await made(server.url)) >= before + 6, 10_000, 'the slow connection’s six bodies made')
    const hanging = [1, 2, 3].map(() => request(`${server.url}/hang`, { timeoutMs: 20_000 }))
    // The hanging requests reach the worker before it exits (one lane, in order).
    const exit = await request(`${server.url}/exit`, { timeoutMs: 20_000 })
    assert.equal(exit.status, 502)
    for (const reply of await Promise.all(hanging)) assert.equal(reply.status, 502, 'a request the dead worker had')
    const sizes = Array.from({ length: 12 }, (_, i) => 300_000 + i * 50_000)
    const replies = await Promise.all(sizes.map((size) => request(`${server.url}/bytes?n=${size}`, { timeoutMs: 20_000 })))
    for (const [i, reply] of replies.entries()) assertWhole(reply, sizes[i]!, `the new worker's body ${i}, ${sizes[i]} bytes`)
    const held = await slow.resume()
    for (const [i, reply] of held.entries()) assertWhole(reply, MiB, `the dead worker's body ${i}, answered before it died`)
  })
})
