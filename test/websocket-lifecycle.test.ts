// WebSockets across reloads, crashes and shutdown: a reload closes the old
// code's sockets with 1012 and the old generation still ends; a new socket
// runs the new code; a worker crash closes its own sockets with 1011 and no
// other; live reload's stream works beside the app's WebSockets.
import assert from 'node:assert/strict'
import { get } from 'node:http'
import { createServer, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { PROCESS_TOKEN } from '../src/http/gate/same-origin.js'
import { cleanup, projectDir, serveProject, waitFor, withDeadline } from './helpers.js'
import { connect, refusedWith } from './ws-client.js'

/**
 * Every generation of this app holds a TCP connection to `probe`, named by
 * its version: the connection ends when the worker thread does.
 */
const app = (version: string, probe: number) => `
import http from 'node:http'
import net from 'node:net'
import { threadId } from 'node:worker_threads'
import { WebSocketServer } from 'ws'
net.connect(${probe}, '127.0.0.1').on('error', () => {}).write('${version}')
const server = http.createServer((_req, res) => res.end('${version}'))
new WebSocketServer({ server }).on('connection', (ws) => {
  ws.send('hello ${version} ' + threadId)
  ws.on('message', (data) => {
    if (String(data) === 'crash') process.exit(7)
    if (String(data) === 'half') {
      // The start of a 1000-byte binary frame, then death: the frame never ends.
      ;(ws as unknown as { _socket: { write(b: Uint8Array): void } })._socket.write(new Uint8Array([0x82, 0x7e, 0x03, 0xe8, 1, 2, 3]))
      setTimeout(() => process.exit(7), 100)
      return
    }
    ws.send('${version}:' + data)
  })
})
server.listen(3000)
`

/** Which versions' workers are alive: the probe's open connections. */
async function startProbe() {
  const alive = new Map<Socket, string>()
  const server = createServer((socket) => {
    socket.on('data', (name) => alive.set(socket, name.toString()))
    socket.on('error', () => {})
    socket.on('close', () => alive.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup(() => {
    for (const socket of alive.keys()) socket.destroy()
    return new Promise((resolve) => server.close(resolve))
  })
  return {
    port: (server.address() as { port: number }).port,
    versions: () => [...alive.values()],
  }
}

/** A port free right now: for a server whose URL is needed before serve() resolves. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const free = createServer().listen(0, '127.0.0.1', () => {
      const { port } = free.address() as { port: number }
      free.close(() => resolve(port))
    })
    free.on('error', reject)
  })
}

describe('WebSockets and reloads', () => {
  test('a WebSocket that is the first request, made while the server is still starting, is served', async () => {
    // The upgrade handler is loaded when the first upgrade request comes: it must get that request and its socket whole.
    const probe = await startProbe()
    const project = projectDir({ 'app.ts': app('v1', probe.port) })
    cleanup(project.remove)
    const port = await freePort()
    const starting = serve({ entry: `${project.dir}/app.ts`, port, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(async () => (await starting).close())
    const client = await waitFor(() => connect(`http://127.0.0.1:${port}/c`).catch(() => undefined), 15_000, 'a WebSocket to open')
    assert.match(await client.text(), /^hello v1 /)
    client.ws.send('first')
    assert.equal(await client.text(), 'v1:first')
    await withDeadline(starting, 15_000, 'serve()')
  })

  test('a reload closes the old sockets with 1012, the old generation ends, and a new socket runs the new code', async () => {
    const probe = await startProbe()
    const { project, server } = await serveProject({ 'app.ts': app('v1', probe.port) })
    const old = await connect(server.url + '/live')
    assert.match(await old.text(), /^hello v1 /)
    old.ws.send('ping')
    assert.equal(await old.text(), 'v1:ping')

    // Live reload's own stream, beside the app's socket.
    const stream = await withDeadline(
      new Promise<{ status: number; text: () => string }>((resolve, reject) => {
        get(`${server.url}/__hotcell/live-reload?token=${PROCESS_TOKEN}&v=0`, { agent: false }, (res) => {
          let text = ''
          res.on('data', (c: Buffer) => (text += c.toString()))
          cleanup(() => res.destroy())
          resolve({ status: res.statusCode ?? 0, text: () => text })
        }).on('error', reject)
      }),
      10_000,
      'the live-reload stream',
    )
    assert.equal(stream.status, 200)

    project.write('app.ts', app('v2', probe.port))
    await server.reload()
    assert.deepEqual(await old.closed(), { code: 1012, reason: 'hotcell reloaded the code' })
    const fresh = await connect(server.url + '/live')
    assert.match(await fresh.text(), /^hello v2 /)
    fresh.ws.send('ping')
    assert.equal(await fresh.text(), 'v2:ping')
    await waitFor(() => stream.text().includes('event: reload'), 10_000, 'the reload event on the live-reload stream')
    // The socket was closed, not waited for: v1's worker is gone while v2 serves.
    await waitFor(() => !probe.versions().includes('v1') && probe.versions().includes('v2'), 15_000, `v1's worker to end (alive: ${probe.versions()})`)

    // A build error: open sockets close with the same code, their reason saying that nothing
    // reloaded; handshakes get the error until it builds.
    project.write('app.ts', app('v3', probe.port) + 'export const broken = (\n')
    await server.reload()
    assert.deepEqual(await fresh.closed(), { code: 1012, reason: 'the code changed; hotcell serves its error until it is fixed' })
    assert.equal(await refusedWith(server.url + '/live'), 500)
    project.write('app.ts', app('v3', probe.port))
    await server.reload()
    const fixed = await connect(server.url + '/live')
    assert.match(await fixed.text(), /^hello v3 /)
    fixed.ws.close()
  })

  test('a worker crash closes its own sockets with 1011 and no other; a new socket is served', async () => {
    const probe = await startProbe()
    const { server } = await serveProject({ 'app.ts': app('v1', probe.port) }, { workers: 2 })
    // Sockets go to the worker with the fewest: four land two and two.
    const clients = await Promise.all([1, 2, 3, 4].map(() => connect(server.url + '/c')))
    const threads = await Promise.all(clients.map(async (c) => (await c.text()).split(' ')[2]!))
    const victim = threads[0]!
    assert.equal(new Set(threads).size, 2, `sockets on two workers (${threads})`)
    const doomed = clients.filter((_, i) => threads[i] === victim)
    const spared = clients.filter((_, i) => threads[i] !== victim)

    doomed[0]!.ws.send('crash')
    for (const client of doomed) assert.deepEqual(await client.closed(), { code: 1011, reason: 'the worker serving this WebSocket died' })
    for (const client of spared) {
      client.ws.send('still there?')
      assert.equal(await client.text(), 'v1:still there?')
      assert.equal(client.ws.readyState, client.ws.OPEN)
    }
    const next = await connect(server.url + '/c')
    assert.match(await next.text(), /^hello v1 /)
    for (const client of [...spared, next]) client.ws.close()
  })

  test('workers killed by WebSocket messages, three in a row: each socket closes 1011, and it is not taken for a crash loop', async () => {
    // Deaths while serving a socket are paced by its clients, as deaths during requests are: plain HTTP goes on.
    const probe = await startProbe()
    const { server } = await serveProject({ 'app.ts': app('v1', probe.port) }, { workers: 1 })
    for (let i = 0; i < 3; i++) {
      const client = await connect(server.url + '/c')
      assert.match(await client.text(), /^hello v1 /)
      client.ws.send('crash')
      assert.deepEqual(await client.closed(), { code: 1011, reason: 'the worker serving this WebSocket died' })
    }
    // A request sent while the last worker's exit is still on its way may meet it dying (502, "served normally
    // next"): poll until served, and never see the crash loop's 500.
    const statuses: number[] = []
    const plain = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) =>
        get(server.url, (r) => {
          let body = ''
          r.on('data', (c: Buffer) => (body += c))
          r.on('end', () => resolve({ status: r.statusCode!, body }))
        }).on('error', reject),
      )
    await waitFor(
      async () => {
        const res = await plain()
        statuses.push(res.status)
        return res.status === 200 && res.body === 'v1'
      },
      10_000,
      'a plain request served after the crashes',
    )
    assert.ok(!statuses.includes(500), `statuses: ${statuses}`)
  })

  test('a worker that dies inside a frame: the connection is cut (1006), never a corrupt message or a close frame inside the frame', async () => {
    const probe = await startProbe()
    const { server } = await serveProject({ 'app.ts': app('v1', probe.port) })
    const client = await connect(server.url + '/c')
    await client.text()
    const messages: unknown[] = []
    client.ws.on('message', (data) => messages.push(data))
    client.ws.send('half')
    assert.equal((await client.closed()).code, 1006)
    assert.deepEqual(messages, [])
    const next = await connect(server.url + '/c')
    assert.match(await next.text(), /^hello v1 /)
    next.ws.close()
  })

  // A shutdown, and a close to start again at once (the config file changed): the code tells clients which.
  for (const [why, restart, expected] of [
    ['shutdown closes open WebSockets with 1001', false, { code: 1001, reason: 'hotcell is shutting down' }],
    ['a close to restart (the config file changed) closes them with 1012, as a reload does', true, { code: 1012, reason: 'hotcell restarts with new options' }],
  ] as const) {
    test(why, async () => {
      const probe = await startProbe()
      const project = projectDir({ 'app.ts': app('v1', probe.port) })
      cleanup(project.remove)
      const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
      const client = await connect(server.url + '/c')
      await client.text()
      await withDeadline(server.close({ restart }), 15_000, 'server.close()')
      assert.deepEqual(await client.closed(), expected)
    })
  }
})
