// The status line and headers of a worker's answer to an upgrade. The tunnel
// writes them to the client whole, and learns from the status whether the
// connection became a WebSocket (101) or stays an HTTP response.

/** The status line and headers of the worker's answer; more is a broken worker. */
const MAX_HEAD = 64 * 1024

export interface Head {
  status: number
  /** The status line and headers, through the blank line. */
  head: Buffer
  /** What followed them in the same bytes. */
  rest: Buffer
}

export class AnswerHead {
  #held: Buffer | undefined

  /** Add the worker's next bytes: the head once it is whole, 'incomplete' before, 'too large' past MAX_HEAD. */
  read(chunk: Buffer): Head | 'incomplete' | 'too large' {
    const all = this.#held ? Buffer.concat([this.#held, chunk]) : chunk
    const end = all.indexOf('\r\n\r\n')
    if (end < 0) {
      if (all.byteLength > MAX_HEAD) return 'too large'
      this.#held = all
      return 'incomplete'
    }
    this.#held = undefined
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(all.toString('latin1', 0, Math.min(end, 64)))?.[1] ?? 0)
    return { status, head: all.subarray(0, end + 4), rest: all.subarray(end + 4) }
  }
}
