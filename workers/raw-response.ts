// An upgrade request the app answered with an ordinary Response (a 404, a 426,
// a refusal): it goes out as HTTP/1.1 on the connection, which then closes,
// as Node's server does for an upgrade nobody took.
import type { Duplex } from 'node:stream'
const { once } = process.getBuiltinModule('node:events')

// Not an ESM import of node:http (docs/architecture.md#builtins).
const { STATUS_CODES } = process.getBuiltinModule('node:http')

// The connection closes after this answer; its length is the body's end.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade'])
const NULL_BODY = new Set([101, 103, 204, 205, 304])

export async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || STATUS_CODES[response.status] || ''}`]
  for (const [name, value] of response.headers) if (!HOP_BY_HOP.has(name)) lines.push(`${name}: ${value}`)
  lines.push('connection: close', '', '')
  socket.write(lines.join('\r\n'))
  if (response.body && !NULL_BODY.has(response.status)) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (socket.destroyed) break
      if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), once(socket, 'close')])
    }
  }
  socket.end()
}
