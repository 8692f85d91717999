// One keep-alive HTTP/1.1 connection on a raw socket, one request at a time:
// cheaper than node:http's client, so the figures are the server's, not ours.
// Understands the responses the bench servers give (Content-Length or chunked).
import { connect, type Socket } from 'node:net'

export interface Reply {
  status: number
  body: string
}

export class KeepAliveClient {
  readonly #socket: Socket
  #buffer = ''
  #waiting: { resolve(reply: Reply): void; reject(error: Error): void } | undefined
  #closed: Error | undefined
  readonly #request: string

  private constructor(socket: Socket, path: string, host: string) {
    this.#socket = socket
    this.#request = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`
    socket.setNoDelay(true)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk
      this.#parse()
    })
    const fail = (error: Error) => {
      this.#closed ??= error
      const waiting = this.#waiting
      this.#waiting = undefined
      waiting?.reject(error)
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('connection closed')))
  }

  static open(url: string, path = '/'): Promise<KeepAliveClient> {
    const { hostname, port, host } = new URL(url)
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new KeepAliveClient(socket, path, host)))
      socket.once('error', reject)
    })
  }

  get(): Promise<Reply> {
    if (this.#closed) return Promise.reject(this.#closed)
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
      this.#socket.write(this.#request)
    })
  }

  close(): void {
    this.#socket.destroy()
  }

  #parse(): void {
    const end = this.#buffer.indexOf('\r\n\r\n')
    if (end < 0 || !this.#waiting) return
    const head = this.#buffer.slice(0, end)
    const status = Number(head.slice(9, 12))
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)
    let body: string
    let rest: string
    if (length) {
      const size = Number(length[1])
      if (this.#buffer.length < end + 4 + size) return
      body = this.#buffer.slice(end + 4, end + 4 + size)
      rest = this.#buffer.slice(end + 4 + size)
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const terminator = this.#buffer.indexOf('\r\n0\r\n\r\n', end)
      if (terminator < 0) return
      body = dechunk(this.#buffer.slice(end + 4, terminator + 2))
      rest = this.#buffer.slice(terminator + 7)
    } else {
      body = ''
      rest = this.#buffer.slice(end + 4)
    }
    this.#buffer = rest
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting.resolve({ status, body })
  }
}

function dechunk(data: string): string {
  let out = ''
  let at = 0
  while (at < data.length) {
    const line = data.indexOf('\r\n', at)
    const size = parseInt(data.slice(at, line), 16)
    out += data.slice(line + 2, line + 2 + size)
    at = line + 2 + size + 2
  }
  return out
}
