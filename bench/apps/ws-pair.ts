// WebSocket echo, fetch style: a Workers WebSocketPair.
declare const WebSocketPair: new () => { 0: unknown; 1: { accept(): void; send(data: unknown): void; addEventListener(type: 'message', listener: (event: MessageEvent) => void): void } }

export default {
  fetch(request: Request): Response {
    if (request.headers.get('upgrade') !== 'websocket') return new Response('ws echo')
    const [client, server] = Object.values(new WebSocketPair()) as [unknown, { accept(): void; send(data: unknown): void; addEventListener(type: 'message', listener: (event: MessageEvent) => void): void }]
    server.accept()
    server.addEventListener('message', (event) => server.send(event.data))
    return new Response(null, { status: 101, webSocket: client } as ResponseInit)
  },
}
