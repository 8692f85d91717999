// Every way an app can accept a WebSocket, through the worker: a `ws`
// client over a real socket exchanges text, a 2 MiB binary message, pings,
// and closes with codes and reasons both ways. The fixtures all speak the
// protocol of test/fixtures/ws/echo.ts.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { join } from 'node:path'
import { fixture, request, ROOT, waitFor, withDeadline } from './helpers.js'
import { connect, refusedWith } from './ws-client.js'

const quiet = !process.env.DEBUG_HOTCELL

const shapes = [
  { name: 'node:http + ws ({ server })', entry: 'ws/node-server.ts', path: '/chat', hello: true, denies: false },
  { name: 'node:http + ws (noServer, handleUpgrade)', entry: 'ws/no-server.ts', path: '/chat', hello: true, denies: true },
  { name: 'Express + ws', entry: 'ws/express.ts', path: '/ws', hello: true, denies: false },
  { name: 'Koa + ws', entry: 'ws/koa.ts', path: '/chat', hello: true, denies: false },
  { name: 'Fastify + @fastify/websocket', entry: 'ws/fastify.ts', path: '/ws', hello: true, denies: false },
  { name: 'Hono on @hono/node-server, its upgradeWebSocket', entry: 'ws/hono-node.ts', path: '/ws', hello: true, denies: false },
  { name: "fetch handler with Workers' WebSocketPair", entry: 'ws/workers.ts', path: '/chat', hello: true, denies: true },
  { name: "Hono's Workers upgradeWebSocket (hono/cloudflare-workers)", entry: 'ws/hono-workers.ts', path: '/ws', hello: false, denies: false },
]

for (const shape of shapes) {
  describe(shape.name, () => {
    let server: HotcellServer
    before(async () => {
      server = await serve({ entry: fixture(shape.entry), port: 0, workers: 1, quiet })
    })
    after(() => server.close())
    const state = async () => JSON.parse((await request(server.url)).text) as { messages: number; opened: number; closes: string[] }

    test('text and a 2 MiB binary message round-trip; ping gets pong; the app closes with its code and reason', async () => {
      const client = await connect(server.url + shape.path)
      if (shape.hello) assert.equal(await client.text(), 'hello v1')
      client.ws.send('hi there')
      assert.equal(await client.text(), 'echo:hi there')
      const big = randomBytes(2 * 1024 * 1024 + 3)
      client.ws.send(big)
      const back = await client.next(20_000)
      assert.ok(back.bytes, 'a binary message came back')
      assert.equal(back.bytes.byteLength, big.byteLength)
      assert.ok(back.bytes.equals(big), 'the same bytes came back')
      const pong = new Promise<Buffer>((resolve) => client.ws.once('pong', resolve))
      client.ws.ping('are you there')
      assert.equal((await withDeadline(pong, 10_000, 'pong')).toString(), 'are you there')
      client.ws.send('close:4001:done here')
      assert.deepEqual(await client.closed(), { code: 4001, reason: 'done here' })
    })

    test('the client closes with its code and reason; the app sees them', async () => {
      const client = await connect(server.url + shape.path)
      if (shape.hello) await client.text()
      client.ws.send('count')
      assert.match(await client.text(), /^count:\d+$/)
      client.ws.close(4321, 'client says bye')
      assert.equal((await client.closed()).code, 4321)
      await waitFor(async () => (await state()).closes.includes('4321:client says bye'), 10_000, 'the app to see the close')
    })

    if (shape.entry === 'ws/workers.ts') {
      test('with WebSocketPair in use, every Response is still instanceof Response', async () => {
        const client = await connect(server.url + shape.path)
        await client.text()
        assert.deepEqual(JSON.parse((await request(server.url + '/instanceof')).text), { native: true })
        client.ws.close()
      })
    }

    if (shape.denies) {
      test("the app's own refusal reaches the client as HTTP", async () => {
        const status = await refusedWith(server.url + '/deny')
        assert.ok(status === 401 || status === 403, `refused with ${status}`)
      })
    }
  })
}

for (const entry of ['server.ts', 'app.ts']) {
  describe(`examples/websocket/${entry}`, () => {
    let server: HotcellServer
    before(async () => {
      server = await serve({ entry: join(ROOT, 'examples/websocket', entry), port: 0, quiet })
    })
    after(() => server.close())

    test('two members of the room hear each other', async () => {
      const ada = await connect(server.url + '/room')
      assert.equal(await ada.text(), 'Welcome to the room.')
      const bob = await connect(server.url + '/room')
      assert.equal(await bob.text(), 'Welcome to the room.')
      ada.ws.send('hello from ada')
      assert.equal(await ada.text(), 'hello from ada')
      assert.equal(await bob.text(), 'hello from ada')
      const carl = await connect(server.url + '/room')
      assert.deepEqual([await carl.text(), await carl.text()], ['Welcome to the room.', 'hello from ada'])
      for (const client of [ada, bob, carl]) client.ws.close()
    })
  })
}
