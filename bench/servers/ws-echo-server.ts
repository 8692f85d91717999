// The reference for bench/websocket: the echo of bench/apps/ws-echo.ts on
// plain node:http + ws, one process, no hotcell.   (forked, IPC: { type: 'ready', url })
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'

const server = http.createServer((_req, res) => res.end('ws echo'))
new WebSocketServer({ server }).on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
})
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))
process.once('disconnect', () => process.exit(0))
