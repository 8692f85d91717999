// The requests dispatched to one generation whose response has not closed:
// a generation retires once they are over, or once its grace period ends.

export class InflightRequests {
  #count = 0
  #drained: (() => void) | undefined

  get count(): number {
    return this.#count
  }

  /**
   * One request enters; call the returned function once when it is over
   * (its response closed and its worker is done with it). Calling it again does nothing.
   */
  enter(): () => void {
    this.#count++
    let left = false
    return () => {
      if (left) return
      left = true
      if (--this.#count === 0) this.#drained?.()
    }
  }

  /** Resolves once no request is in flight, or after `graceMs`. */
  drained(graceMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#count === 0) return resolve()
      const timer = setTimeout(resolve, graceMs)
      this.#drained = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}
