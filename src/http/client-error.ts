// What a client gets when Node's parser rejects its bytes before any request
// listener runs. Same mapping as Vite (#22476): a status line, Connection:
// close, no body worth rendering; never HTML, never a stack.
import type { Duplex } from 'node:stream'

// Not an ESM import of node:http (docs/architecture.md#builtins).
const { STATUS_CODES } = process.getBuiltinModule('node:http')

export function statusForClientError(code: string | undefined): 400 | 408 | 413 | 431 {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408
    default:
      return 400
  }
}

/** The server's 'clientError' listener. */
export function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // The client is gone or the socket is already half-closed: nobody reads an answer.
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
  // A response is already on the wire (the error came while reading a body):
  // a second status line would corrupt it.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (inFlight?.headersSent) return void socket.destroy()
  const status = statusForClientError(error.code)
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
