// Requests that arrive once a save is seen wait for its reload instead of
// going to the code it replaces: a request sent after a save gets the saved
// code (or its build error), as under Bun --hot, wrangler dev and Vite, where
// the reload is on the request's path anyway. It also gives the reload the
// cores: a client polling while it builds kept the old generation busy, and
// esbuild and the standby's import shared the two cores with it.
//
// A hold never outlasts `maxMs`: a slow build (a large app, a burst that waits
// for quiet, an import that hangs) lets the waiting requests through to the
// old code, which keeps serving them as before.
import type { Target } from '../http/dispatch.js'

/** The longest a request waits for the reload of a save it came after before the old code answers it. */
const HOLD_MS = 300

export class SaveHold {
  #held: Promise<Target> | undefined
  #release: (() => void) | undefined
  #timer: NodeJS.Timeout | undefined

  /** `serving`: where requests go when none is held (the reloader's target). */
  constructor(
    private readonly serving: () => Target | Promise<Target>,
    private readonly maxMs = HOLD_MS,
  ) {}

  /** Where a request goes now: after the reload under way, or where it would anyway. */
  target(): Target | Promise<Target> {
    return this.#held ?? this.serving()
  }

  /** A save is to be built: hold requests until `settled()` resolves (the reload and its follow-ups ended), `maxMs` at most. */
  begin(settled: () => Promise<void>): void {
    if (this.#held) return
    // Before the first build has served, every request waits for it already.
    if (this.serving() instanceof Promise) return
    this.#held = new Promise<Target>((resolve) => {
      this.#release = () => resolve(this.serving())
    })
    this.#timer = setTimeout(() => this.end(), this.maxMs)
    this.#timer.unref()
    void settled().then(() => this.end())
  }

  /** Let the held requests go to what serves now. */
  end(): void {
    clearTimeout(this.#timer)
    const release = this.#release
    this.#held = this.#release = this.#timer = undefined
    release?.()
  }
}
