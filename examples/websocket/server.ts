// A chat room over WebSockets: node:http serves the page, the `ws` library the
// room, as in any Node app. Under hotcell the socket stays in hotcell's main
// thread and the room runs in the worker.
//
//   npx hotcell examples/websocket/server.ts
//
// Open http://127.0.0.1:3000 in two tabs and talk. Edit GREETING and save:
// the tabs' sockets close with 1012 (Service Restart) and reconnect to the new code.
import http from 'node:http'
import { WebSocket, WebSocketServer } from 'ws'

const GREETING = 'Welcome to the room.'
// One module instance serves every tab (hotcell's default of one worker):
// the room's history is shared, until the next reload starts fresh.
const history: string[] = []

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>hotcell chat</title>
<style>body{font:16px system-ui;max-width:40em;margin:2em auto}#log{list-style:none;padding:0}#log li.note{color:#888}</style>
</head><body>
<h1>hotcell chat</h1>
<ul id="log"></ul>
<form id="say"><input id="text" autocomplete="off" autofocus placeholder="Say something"> <button>Send</button></form>
<script>
const log = document.getElementById('log')
const show = (text, note) => {
  const li = log.appendChild(document.createElement('li'))
  li.textContent = text
  if (note) li.className = 'note'
}
let socket
function connect() {
  socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/room')
  socket.onmessage = (event) => show(event.data)
  socket.onclose = (event) => {
    show('disconnected (' + event.code + (event.reason ? ': ' + event.reason : '') + '), reconnecting', true)
    setTimeout(connect, 300)
  }
}
connect()
document.getElementById('say').onsubmit = (event) => {
  event.preventDefault()
  const input = document.getElementById('text')
  if (input.value && socket.readyState === WebSocket.OPEN) socket.send(input.value)
  input.value = ''
}
</script>
</body></html>`

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end(page)
})

const room = new WebSocketServer({ server, path: '/room', maxPayload: 64 * 1024 })
room.on('connection', (socket) => {
  socket.send(GREETING)
  for (const line of history) socket.send(line)
  socket.on('message', (data) => {
    const line = String(data).slice(0, 500)
    history.push(line)
    if (history.length > 50) history.shift()
    for (const client of room.clients) if (client.readyState === WebSocket.OPEN) client.send(line)
  })
})

server.listen(3000, () => console.log('chat listening on 3000'))
