// The requests dispatched to one generation that are not over: a generation
// retires once they are, or once its grace period ends. A request is over
// when its response has closed AND its worker is done with it: a client that
// leaves early must not let the generation be destroyed under a handler
// still running on a reload. A shutdown does not wait for those: nobody is
// left to answer, and their request.signal has told them to stop.

/** One request's two ends; each may be called more than once. One object per request, no closures: this is on every request's path. */
export class Inflight {
  #open = true
  #busy = true

  constructor(private readonly requests: InflightRequests) {}

  /** The response closed: it ended, or the client left. */
  closed(): void {
    if (!this.#open) return
    this.#open = false
    this.requests.responseClosed(this.#busy)
  }

  /** The worker is done with the request. */
  done(): void {
    if (!this.#busy) return
    this.#busy = false
    if (!this.#open) this.requests.over()
  }
}

export class InflightRequests {
  /** Requests not over. */
  #count = 0
  /** Of them, those whose response is still open. */
  #open = 0
  #changed: (() => void) | undefined

  get count(): number {
    return this.#count
  }

  enter(): Inflight {
    this.#count++
    this.#open++
    return new Inflight(this)
  }

  /** (Inflight) A response closed; `busy`: its worker is still on the request. */
  responseClosed(busy: boolean): void {
    this.#open--
    if (busy) this.#changed?.()
    else this.over()
  }

  /** (Inflight) A request is over: response closed, worker done. */
  over(): void {
    this.#count--
    this.#changed?.()
  }

  /** Resolves once no request is in flight (`answeredOnly`: none with its response open), or after `graceMs`. */
  drained(graceMs: number, answeredOnly = false): Promise<void> {
    const left = () => (answeredOnly ? this.#open : this.#count)
    return new Promise<void>((resolve) => {
      if (left() === 0) return resolve()
      const timer = setTimeout(resolve, graceMs)
      this.#changed = () => {
        if (left() > 0) return
        clearTimeout(timer)
        this.#changed = undefined
        resolve()
      }
    })
  }
}
