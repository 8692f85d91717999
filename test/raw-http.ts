// Byte-exact HTTP over raw sockets, and the "did it reach a worker?" check
// shared by the hardening tests. The counter fixture must run with workers: 1.
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { request, withDeadline } from './helpers.js'

export interface RawReply {
  /** The whole byte stream the server sent, latin1. */
  raw: string
  /** Status of the first response, or undefined if the server closed without one. */
  status: number | undefined
  head: string
  body: string
}

export function parseReply(raw: string): RawReply {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1]
  const split = raw.indexOf('\r\n\r\n')
  return {
    raw,
    status: status === undefined ? undefined : Number(status),
    head: split < 0 ? raw : raw.slice(0, split),
    body: split < 0 ? '' : raw.slice(split + 4),
  }
}

/**
 * Write `data`, read until the server closes the connection, or until what
 * arrived satisfies `until` (for a stream that stays open); then close it.
 */
export function exchange(
  port: number,
  data: string | Buffer,
  options: { address?: string; timeoutMs?: number; until?: (raw: string) => boolean } = {},
): Promise<RawReply> {
  return withDeadline(
    new Promise<RawReply>((resolve, reject) => {
      const socket = connect(port, options.address ?? '127.0.0.1')
      let out = ''
      const done = () => resolve(parseReply(out))
      socket.on('data', (c) => {
        out += c.toString('latin1')
        if (options.until?.(out)) {
          socket.destroy()
          done()
        }
      })
      socket.on('end', done)
      socket.on('close', done)
      socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? done() : reject(e)))
      socket.write(data)
    }),
    options.timeoutMs ?? 10_000,
    'the server to answer and close',
  )
}

/** Open a socket and resolve once connected. */
export function open(port: number, address = '127.0.0.1'): Promise<Socket> {
  return withDeadline(
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(port, address, () => resolve(socket))
      socket.once('error', reject)
    }),
    10_000,
    'a connection',
  )
}

/** How many requests the counter fixture's handler has seen. */
export async function handlerCount(base: string): Promise<number> {
  const res = await request(`${base}/count`)
  assert.equal(res.status, 200)
  return (JSON.parse(res.text) as { seen: number }).seen
}

/** After each case: the server still answers, with a 200 from the handler. */
export async function assertHealthy(base: string): Promise<void> {
  const res = await request(`${base}/health`)
  assert.equal(res.status, 200, 'health request after the case')
  assert.equal(res.text, 'ok')
}

/**
 * Run one case: `act` talks to the server; then a health request must get 200,
 * and the handler must have seen exactly `reached` requests besides it.
 */
export async function checkCase(base: string, reached: 0 | 1 | 'at most 1', act: () => Promise<void>): Promise<void> {
  const before = await handlerCount(base)
  await act()
  await assertHealthy(base)
  const seen = (await handlerCount(base)) - before - 1
  if (reached === 'at most 1') assert.ok(seen <= 1, `${seen} requests reached the handler`)
  else assert.equal(seen, reached, reached === 0 ? 'a rejected request reached the handler' : 'the request should have reached the handler')
}
