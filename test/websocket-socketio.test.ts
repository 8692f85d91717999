// socket.io through the worker: its websocket transport directly, and the
// default start on HTTP long-polling followed by the upgrade to a WebSocket.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { io, type Socket } from 'socket.io-client'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, waitFor, withDeadline } from './helpers.js'

interface Echo {
  data: unknown
  count: number
  transport: string
}

describe('socket.io', () => {
  let server: HotcellServer
  const sockets: Socket[] = []
  before(async () => {
    server = await serve({ entry: fixture('ws/socketio.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
  })
  after(async () => {
    for (const socket of sockets) socket.disconnect()
    await server.close()
  })
  const open = (transports: string[]) => {
    const socket = io(server.url, { transports, reconnection: false, timeout: 10_000 })
    sockets.push(socket)
    return socket
  }

  test('the websocket transport: text and binary round-trip', async () => {
    const socket = open(['websocket'])
    const text = (await withDeadline(socket.emitWithAck('echo', 'hello'), 10_000, 'the echo')) as Echo
    assert.deepEqual([text.data, text.transport], ['hello', 'websocket'])
    const bytes = Buffer.from([0, 1, 2, 250, 255])
    const binary = (await withDeadline(socket.emitWithAck('echo', bytes), 10_000, 'the binary echo')) as Echo
    assert.ok(Buffer.from(binary.data as Uint8Array).equals(bytes), 'the same bytes came back')
  })

  test('long-polling first, then the upgrade to a WebSocket', async () => {
    const socket = open(['polling', 'websocket'])
    const first = (await withDeadline(socket.emitWithAck('echo', 1), 10_000, 'the first echo')) as Echo
    assert.equal(first.data, 1)
    await waitFor(() => socket.io.engine?.transport.name === 'websocket', 10_000, 'the upgrade to websocket')
    const after = (await withDeadline(socket.emitWithAck('echo', 2), 10_000, 'the echo after the upgrade')) as Echo
    assert.deepEqual([after.data, after.transport], [2, 'websocket'])
    // One module instance saw both sockets' messages.
    assert.ok(after.count >= 3, `count ${after.count}`)
  })
})
