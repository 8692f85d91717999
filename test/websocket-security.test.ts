// What a WebSocket handshake must pass before any of the app's code runs
// (the Host guard, /__hotcell/, the Origin check against cross-site
// WebSocket hijacking), the message size limit (1009), and the answers
// hotcell gives when the app cannot (500, 504).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, request, serveProject, waitFor } from './helpers.js'
import { connect, refusedWith } from './ws-client.js'

const quiet = !process.env.DEBUG_HOTCELL
const LIMIT = 64 * 1024

describe('WebSocket handshakes and limits (fetch handler)', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('ws/workers.ts'), port: 0, workers: 1, quiet, bodyLimit: LIMIT, allowedHosts: ['myapp.test'] })
  })
  after(() => server.close())
  const state = async () => JSON.parse((await request(server.url)).text) as { upgrades: number; closes: string[] }
  const port = () => new URL(server.url).port

  test('foreign pages are refused with 403 before the handler runs', async () => {
    const before = (await state()).upgrades
    for (const origin of ['https://evil.example', 'null', 'http://192.168.1.20:' + port(), 'http://localhost.evil.example', 'chrome-extension://abc']) {
      assert.equal(await refusedWith(server.url + '/chat', { origin }), 403, `Origin: ${origin}`)
    }
    assert.equal(await refusedWith(server.url + '/chat', { headers: { host: 'attacker.example' } }), 403, 'a foreign Host')
    assert.equal(await refusedWith(server.url + '/__hotcell/live-reload'), 404, "/__hotcell/ is hotcell's own")
    assert.equal((await state()).upgrades, before, 'no refused handshake reached the handler')
  })

  test('clients without Origin, pages of this server, of localhost and of --allowed-hosts names connect', async () => {
    const before = (await state()).upgrades
    const origins = [
      undefined,
      `http://127.0.0.1:${port()}`,
      `http://localhost:${port()}`,
      'http://localhost:5173',
      'http://app.localhost:8080',
      'https://myapp.test',
    ]
    for (const origin of origins) {
      const client = await connect(server.url + '/chat', origin ? { origin } : {})
      assert.equal(await client.text(), 'hello v1', `Origin: ${origin}`)
      client.ws.close()
    }
    assert.equal((await state()).upgrades, before + origins.length)
  })

  test('a message over --body-limit closes the socket with 1009, for the client and the app', async () => {
    const client = await connect(server.url + '/chat')
    await client.text()
    client.ws.send('x'.repeat(LIMIT))
    assert.equal(await client.text(), 'echo:' + 'x'.repeat(LIMIT), 'a message at the limit passes')
    client.ws.send(Buffer.alloc(LIMIT + 1))
    assert.deepEqual(await client.closed(), { code: 1009, reason: `message larger than ${LIMIT} bytes` })
    await waitFor(async () => (await state()).closes.includes(`1009:message larger than ${LIMIT} bytes`), 10_000, 'the app to see 1009 too')
  })

  test("the app's own refusal, a throwing handler and a non-WebSocket upgrade", async () => {
    assert.equal(await refusedWith(server.url + '/deny'), 403)
    assert.equal(await refusedWith(server.url + '/throw'), 500)
    const h2c = await request(server.url + '/plain', {
      headers: { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' },
    })
    assert.equal(h2c.status, 200, 'Upgrade: h2c is served as an ordinary request')
    assert.match(h2c.text, /"upgrades"/)
  })
})

describe('WebSocket handshakes (Node server, noServer + handleUpgrade)', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('ws/no-server.ts'), port: 0, workers: 1, quiet, timeout: 1000, bodyLimit: LIMIT })
  })
  after(() => server.close())

  test("a foreign Origin never reaches the app's 'upgrade' listener", async () => {
    const before = JSON.parse((await request(server.url)).text).upgrades as number
    assert.equal(await refusedWith(server.url + '/chat', { origin: 'https://evil.example' }), 403)
    const client = await connect(server.url + '/chat')
    assert.equal(await client.text(), 'hello v1')
    client.ws.close()
    assert.equal(JSON.parse((await request(server.url)).text).upgrades, before + 1)
  })

  test("a message over the limit in fragments is refused with 1009 (the app's own ws would take 100 MiB)", async () => {
    const client = await connect(server.url + '/chat')
    await client.text()
    client.ws.send(Buffer.alloc(LIMIT / 2 + 1), { fin: false })
    client.ws.send(Buffer.alloc(LIMIT / 2), { fin: true })
    assert.equal((await client.closed()).code, 1009)
  })

  test('a handshake nobody answers gets 504 after --timeout', async () => {
    assert.equal(await refusedWith(server.url + '/hang'), 504)
  })

  test('a worker that dies during the handshake: 502, and the next handshake is served by its replacement', async () => {
    assert.equal(await refusedWith(server.url + '/exit'), 502)
    const client = await waitFor(() => connect(server.url + '/chat'), 10_000, 'a handshake served again')
    assert.equal(await client.text(), 'hello v1')
    client.ws.close()
  })
})

describe('WebSocket handshakes to an entry that cannot load', () => {
  for (const [name, source] of [
    ['throws at import', `throw new Error('the entry broke at import')\nexport default { fetch: () => new Response('never') }\n`],
    ['kills its workers in a loop (process.exit at import)', `process.exit(1)\nexport default { fetch: () => new Response('never') }\n`],
  ] as const) {
    test(`${name}: 500 with the error, promptly`, async () => {
      const { server } = await serveProject({ 'app.ts': source })
      assert.equal(
        await waitFor(
          async () => ((await request(server.url)).status === 500 ? refusedWith(server.url + '/chat') : undefined),
          15_000,
          'a 500 to the handshake',
        ),
        500,
      )
    })
  }
})
