// WebSocket echo, Node style: node:http + ws, as an app would write it.
import http from 'node:http'
import { WebSocketServer } from 'ws'

const server = http.createServer((_req, res) => res.end('ws echo'))
new WebSocketServer({ server }).on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
})
server.listen(3000)
