// Requests that arrive once a save is seen wait for its reload instead of
// going to the code it replaces: a request sent after a save gets the saved
// code (or its build error), as under Bun --hot, wrangler dev and Vite, where
// the reload is on the request's path anyway. It also gives the reload the
// cores: a client polling while it builds kept the old generation busy, and
// esbuild and the standby's import shared the two cores with it.
//
// Once the new bundle is handed to its standby, a request without a body
// goes there at once (early()): the worker serves it as its import ends,
// without waiting for its 'ready' to reach this thread and the swap to send
// it over. One with a body waits for the swap: the body moves to the worker,
// and a request the standby never began (a newer save gave its import up, or
// it hung) is sent again elsewhere (NotBegunError in dispatch.ts).
//
// A hold never outlasts `maxMs`: a slow build (a large app, a burst that waits
// for quiet, an import that hangs) lets the waiting requests through to the
// old code, which keeps serving them as before.
import type { Target } from '../http/dispatch.js'
import type { Generation } from '../pool/generation.js'

/** The longest a request waits for the reload of a save it came after before the old code answers it. */
const HOLD_MS = 300

export class SaveHold {
  #held: Promise<Target> | undefined
  #release: (() => void) | undefined
  /** Held requests without a body: they go at early(), or with the others. */
  #heldBodyless: Promise<Target> | undefined
  #releaseBodyless: ((target: Target | Promise<Target>) => void) | undefined
  /** Where a request without a body goes while `#fresh()`: the standby importing the save's bundle. */
  #early: Target | undefined
  #fresh: () => boolean = () => false
  #timer: NodeJS.Timeout | undefined

  /** `serving`: where requests go when none is held (the reloader's target). */
  constructor(
    private readonly serving: () => Target | Promise<Target>,
    private readonly maxMs = HOLD_MS,
  ) {}

  /** Where a request goes now: after the reload under way, or where it would anyway. `bodyless`: the request has no body. */
  target(bodyless = false): Target | Promise<Target> {
    if (this.#held === undefined) return this.serving()
    if (!bodyless) return this.#held
    // Saved again since: the reload of that save serves it.
    if (this.#early !== undefined) return this.#fresh() ? this.#early : this.#held
    return this.#heldBodyless!
  }

  /** A save is to be built: hold requests until `settled()` resolves (the reload and its follow-ups ended), `maxMs` at most. */
  begin(settled: () => Promise<void>): void {
    if (this.#held) return
    // Before the first build has served, every request waits for it already.
    if (this.serving() instanceof Promise) return
    this.#held = new Promise<Target>((resolve) => {
      this.#release = () => resolve(this.serving())
    })
    this.#heldBodyless = new Promise<Target>((resolve) => (this.#releaseBodyless = resolve))
    this.#timer = setTimeout(() => this.end(true), this.maxMs)
    this.#timer.unref()
    void settled().then(() => this.end())
  }

  /**
   * The save's bundle is being imported into `generation`: requests without
   * a body go there from now on, held ones at once, while `fresh()` (no newer
   * save has come since).
   */
  early(generation: Generation, fresh: () => boolean): void {
    if (this.#held === undefined || !fresh()) return
    this.#early = { kind: 'generation', generation }
    this.#fresh = fresh
    this.#releaseBodyless!(this.#early)
  }

  /** Let the held requests go to what serves now. `expired`: after `maxMs`, the reload still under way. */
  end(expired = false): void {
    clearTimeout(this.#timer)
    const release = this.#release
    const releaseBodyless = this.#releaseBodyless
    const early = this.#early
    this.#held = this.#release = this.#heldBodyless = this.#releaseBodyless = this.#early = this.#timer = undefined
    release?.()
    // Resolving a promise twice does nothing: those released early keep their standby.
    releaseBodyless?.(this.serving())
    // Those sent to the standby early and not begun go where the others go (they ask target() again).
    if (expired && early?.kind === 'generation') early.generation.takeBack()
  }
}
