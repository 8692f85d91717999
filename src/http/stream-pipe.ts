import type { ResponseOut } from './exchange.js'
import type { MessagePort } from 'node:worker_threads'
import type { ErrorData, StreamMessage, StreamReply } from '../pool/protocol.js'
import type { EndStream } from '../pool/event-streams.js'
import { rawHeader } from './raw-header.js'

export interface PipeOptions {
  /** HEAD, 204 and 304 carry no body: the stream is cancelled after the head. */
  bodyless(status: number): boolean
  /** Extra headers to send (e.g. `connection: close` while shutting down). */
  extraHeaders: () => string[]
  /** The response body stream failed after the head went out. */
  onStreamError(error: ErrorData): void
  /** Live reload: may change the head and give bytes to write just before the end. */
  rewriteHead?(status: number, headers: string[]): { headers: string[]; tail: Buffer } | undefined
  /** The response is an event stream (text/event-stream): `end` ends it cleanly; returns what forgets it once it is over. */
  onEventStream?(end: EndStream): () => void
}

/**
 * Write a streamed response from a worker to the client as it is produced.
 * Each chunk is acknowledged once the socket took it (or drained), which is
 * what lets the worker send more: a slow client slows the producer instead
 * of filling memory.
 */
export function pipeStream(port: MessagePort, res: ResponseOut, options: PipeOptions): void {
  let ended = false
  let tail: Buffer | undefined
  const reply = (message: StreamReply) => {
    try {
      port.postMessage(message)
    } catch {
      // The port closed meanwhile; the worker has stopped anyway.
    }
  }
  const ack = () => reply({ type: 'ack' })
  let forget: (() => void) | undefined
  const finish = () => {
    ended = true
    forget?.()
    port.close()
  }
  const endNow: EndStream = (why) => {
    if (ended || res.destroyed) return
    res.end(tail)
    reply({ type: 'cancel', ended: why })
    finish()
  }

  port.on('message', (message: StreamMessage) => {
    if (ended || res.destroyed) return
    switch (message.type) {
      case 'head': {
        const rewritten = options.rewriteHead?.(message.status, message.headers)
        tail = rewritten?.tail
        res.writeHead(message.status, message.statusText || undefined, [...(rewritten?.headers ?? message.headers), ...options.extraHeaders()])
        if (options.bodyless(message.status)) {
          res.end()
          reply({ type: 'cancel' })
          finish()
          return
        }
        // Server-Sent Events must reach the client now, not with the first chunk.
        res.flushHeaders()
        if (options.onEventStream && /^\s*text\/event-stream\b/i.test(rawHeader(message.headers, 'content-type') ?? '')) forget = options.onEventStream(endNow)
        break
      }
      case 'chunk':
        if (res.write(message.data)) ack()
        else res.once('drain', ack)
        break
      case 'end':
        res.end(tail)
        finish()
        break
      case 'error':
        // Never end cleanly: a truncated body must look truncated to the client.
        options.onStreamError(message.error)
        res.destroy()
        finish()
        break
    }
  })
  // The worker died mid-stream.
  port.on('close', () => {
    if (!ended) {
      ended = true
      res.destroy()
    }
  })
  res.on('close', () => {
    if (!ended) {
      reply({ type: 'cancel' })
      finish()
    }
  })
}
