// Old bundles are deleted once the generations that import them have ended
// (a few at once when edits come fast): soon after one ends, and never beside
// a reload, which could be writing a bundle (or rewriting one under an old
// content-hashed name, after a revert) that no generation names yet.
const PRUNE_DELAY_MS = 20

export class BundlePruner {
  /** A generation with a bundle ended since the last prune. */
  #pending = false
  #reloading = false
  #closed = false
  #timer: NodeJS.Timeout | undefined
  #pruning: Promise<void> | undefined

  constructor(
    /** Deletes the bundles not in `inUse` (builder.prune). */
    private readonly prune: (inUse: string[]) => Promise<void>,
    /** The bundle files the live generations import. */
    private readonly inUse: () => string[],
  ) {}

  /** A generation with a bundle ended. */
  ended(): void {
    this.#schedule(PRUNE_DELAY_MS)
  }

  /** A reload begins: a prune not started yet waits for its end; one under way finishes first. */
  async reloadStarts(): Promise<void> {
    this.#reloading = true
    clearTimeout(this.#timer)
    await this.#pruning
  }

  /** The reload is over: what ended meanwhile is pruned `delayMs` later. */
  reloadEnded(delayMs: number): void {
    this.#reloading = false
    if (this.#pending) this.#schedule(delayMs)
  }

  close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    return this.#pruning ?? Promise.resolve()
  }

  #schedule(delayMs: number): void {
    this.#pending = true
    if (this.#closed || this.#reloading) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      if (this.#reloading || this.#closed) return
      this.#pending = false
      // A file that cannot be deleted stays; the folder goes when the server closes.
      this.#pruning = this.prune(this.inUse()).catch(() => {})
    }, delayMs)
    this.#timer.unref()
  }
}
