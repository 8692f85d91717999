// Backpressure through the tunnel, both ways: a client that does not read
// makes the app's ws.bufferedAmount grow (the app waits) instead of the
// server's memory; an app that does not read makes the client's grow.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, request, waitFor } from './helpers.js'
import { connect } from './ws-client.js'

const MiB = 1024 * 1024
const TOTAL = 48

/**
 * The value once it stopped changing (ten reads in a row, 50 ms apart).
 * Backpressure shows as progress that stops; a slow machine can only make
 * this return early, which makes the checks below easier to pass, never a
 * correct server fail.
 */
async function settled(read: () => number | Promise<number>, what: string): Promise<number> {
  let last = await read()
  let same = 0
  return waitFor(
    async () => {
      const now = await read()
      same = now === last ? same + 1 : 0
      last = now
      return same >= 10 ? { now } : undefined
    },
    30_000,
    what,
    50,
  ).then((r) => r.now)
}

describe('WebSocket backpressure', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('ws/flood.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL, bodyLimit: '2mb' })
  })
  after(() => server.close())
  const state = async () =>
    JSON.parse((await request(server.url + '/state')).text) as { sent: number; waited: boolean; received: number; receivedBytes: number; paused: boolean }

  test('a client that stops reading holds the app back; every byte arrives once it reads', async () => {
    const client = await connect(server.url + '/flood')
    client.ws.pause()
    client.ws.send(`flood:${TOTAL}`)
    await waitFor(async () => (await state()).waited, 20_000, 'the app to wait on bufferedAmount')
    // What the kernel's socket buffers, the tunnel's window and the app's 4 MiB hold: far from all of it.
    const sent = await settled(async () => (await state()).sent, "the app's progress to stop")
    assert.ok(sent <= TOTAL / 2, `the app was held back after ${sent} of ${TOTAL} MiB`)
    client.ws.resume()
    for (let i = 0; i < TOTAL; i++) {
      const message = await client.next(20_000)
      assert.equal(message.bytes?.byteLength, MiB, `message ${i}`)
      assert.equal(message.bytes[0], i % 256, `message ${i} in order`)
      assert.equal(message.bytes[MiB - 1], i % 256)
    }
    client.ws.close()
  })

  test('an app that stops reading holds the client back; every byte arrives once it reads', async () => {
    const client = await connect(server.url + '/pause')
    client.ws.send('pause')
    assert.equal(await client.text(), 'paused')
    const chunk = Buffer.alloc(MiB, 7)
    for (let i = 0; i < TOTAL; i++) client.ws.send(chunk)
    // The client keeps most of it: nothing between it and the app swallowed the bytes.
    const buffered = await settled(() => client.ws.bufferedAmount, "the client's buffer to stop draining")
    assert.ok(buffered >= (TOTAL / 2) * MiB, `the client still holds ${buffered} bytes`)
    assert.equal((await state()).received, 0)
    await request(server.url + '/resume')
    await waitFor(async () => (await state()).received === TOTAL, 30_000, 'every message at the app')
    assert.equal((await state()).receivedBytes, TOTAL * MiB)
    client.ws.close()
  })
})
