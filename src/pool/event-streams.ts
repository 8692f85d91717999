// The event streams (text/event-stream responses) one generation is
// writing. A retiring generation ends them at once, cleanly, instead of
// letting them run the old code through the grace and then cutting them:
// an EventSource reconnects after a clean end, and its new request gets the
// new code, as a WebSocket closed with 1012 does (worker-sockets.ts). Other
// streamed bodies (a download) keep the grace: they are meant to finish.

/** Ends one stream: its body ends as if the handler had closed it, and its request.signal aborts with `why`. */
export type EndStream = (why: 'reload' | 'shutdown') => void

export class EventStreams {
  readonly #open = new Set<EndStream>()
  #ended: 'reload' | 'shutdown' | undefined

  /** An event stream began; returns what forgets it once it is over. One that begins after endAll() is ended at once. */
  add(end: EndStream): () => void {
    if (this.#ended) {
      end(this.#ended)
      return () => {}
    }
    this.#open.add(end)
    return () => this.#open.delete(end)
  }

  /** Ends every open event stream, and those that begin from now on; how many were open. */
  endAll(why: 'reload' | 'shutdown'): number {
    this.#ended ??= why
    const ended = this.#open.size
    for (const end of [...this.#open]) end(why)
    this.#open.clear()
    return ended
  }
}
