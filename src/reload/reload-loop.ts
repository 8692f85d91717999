// A file that changes right after each reload, and alone, is not being
// edited: something rewrites it because of the reload. The terminal's output
// piped to a file in a watched folder (`hotcell app.ts --watch . | tee
// dev.txt`) changed at each reload line, and each change reloaded: 15–47
// reloads in 6 s with no edit, each resetting the app's state and the open
// tabs. An app that writes a file as it starts (not through Node's fs, which
// workers report: runtime-reads.ts) does the same. After LIMIT such reloads in
// a row the file is let go, with one line saying which and how to ignore it.
// Logs (`*.log`) and the file this process's own output goes to never reload
// in the first place (sources.ts, own-output.ts): this is for the rest.

/** Reloads in a row, each of one file that changed right after the reload before it, that make a loop. */
const LIMIT = 3
/**
 * "Right after": during the reload before, or this soon after it ended. tee's
 * write of a reload line was seen 1–8 ms after the reload ended (2 cores, Node
 * 20), and up to 190 ms with two busy loops on those cores. A person saving
 * the same file once per reload is slower than this.
 */
const QUICK_MS = 500

export class ReloadLoopGuard {
  #endedAt = Number.NEGATIVE_INFINITY
  /** Files whose change came right after a reload, since the last reload ended. */
  readonly #quick = new Set<string>()
  /** The file each of the last `count` reloads was made for alone, each change right after the reload before. */
  #streak: { path: string; count: number } | undefined
  readonly #stopped = new Set<string>()

  constructor(private readonly say: (path: string, reloads: number) => void) {}

  /**
   * A change of `path` would reload (`reloading`: a reload runs now). False
   * when it is the loop's next turn: then it is said once, and `path` no
   * longer reloads.
   */
  allows(path: string, reloading: boolean): boolean {
    if (this.#stopped.has(path)) return false
    if (!reloading && performance.now() - this.#endedAt >= QUICK_MS) return true
    if (this.#streak?.path === path && this.#streak.count >= LIMIT) {
      this.#stopped.add(path)
      this.say(path, this.#streak.count)
      this.#streak = undefined
      return false
    }
    this.#quick.add(path)
    return true
  }

  /** A reload ended (the start too), made for `reasons`. */
  ended(reasons: readonly string[]): void {
    this.#endedAt = performance.now()
    const only = reasons.length === 1 ? reasons[0]! : undefined
    this.#streak = only !== undefined && this.#quick.has(only) ? { path: only, count: this.#streak?.path === only ? this.#streak.count + 1 : 1 } : undefined
    this.#quick.clear()
  }

  /** Files let go so far. */
  has(path: string): boolean {
    return this.#stopped.has(path)
  }
}
