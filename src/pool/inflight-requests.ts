// The requests dispatched to one generation that are not over: a generation
// retires once they are, or once its grace period ends. A request is over
// when its response has closed AND its worker is done with it: a client that
// leaves early must not let the generation be destroyed under a handler
// still running on a reload. A shutdown does not wait for those: nobody is
// left to answer, and their request.signal has told them to stop.

/** One request's two ends; each may be called more than once. */
export interface Inflight {
  /** The response closed: it ended, or the client left. */
  closed(): void
  /** The worker is done with the request. */
  done(): void
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
    let open = true
    let busy = true
    const over = () => {
      if (open || busy) return
      this.#count--
      this.#changed?.()
    }
    return {
      closed: () => {
        if (!open) return
        open = false
        this.#open--
        over()
        this.#changed?.()
      },
      done: () => {
        if (!busy) return
        busy = false
        over()
      },
    }
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
