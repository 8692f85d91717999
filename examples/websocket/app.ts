// The same room as a fetch handler, the way Cloudflare Workers accept a
// WebSocket: a WebSocketPair and a 101 Response carrying its client end.
//
//   npx hotcell examples/websocket/app.ts
//
// It speaks the protocol of server.ts; GET / serves no page here (try
// `npx wscat -c ws://127.0.0.1:3000/room`, or point server.ts's page at it).

declare const WebSocketPair: new () => { 0: WorkersWebSocket; 1: WorkersWebSocket }
interface WorkersWebSocket {
  accept(): void
  send(message: string): void
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  addEventListener(type: 'close', listener: () => void): void
}

const GREETING = 'Welcome to the room.'
const history: string[] = []
const members = new Set<WorkersWebSocket>()

export default {
  fetch(request: Request): Response {
    if (new URL(request.url).pathname !== '/room' || request.headers.get('upgrade') !== 'websocket') {
      return new Response('Connect a WebSocket to /room.\n', { status: 426, headers: { upgrade: 'websocket' } })
    }
    const [client, server] = Object.values(new WebSocketPair())
    server.accept()
    members.add(server)
    server.send(GREETING)
    for (const line of history) server.send(line)
    server.addEventListener('message', (event) => {
      const line = String(event.data).slice(0, 500)
      history.push(line)
      if (history.length > 50) history.shift()
      for (const member of members) member.send(line)
    })
    server.addEventListener('close', () => members.delete(server))
    return new Response(null, { status: 101, webSocket: client } as ResponseInit)
  },
}
