// The generations a reload replaced (or a broken build, or the shutdown),
// while they finish their requests and their ctx.waitUntil() work.
import type { Generation } from '../pool/generation.js'
import type { Logger } from '../report/logger.js'
import type { ProjectRoots } from '../report/source-files.js'
import { backgroundWorkCut } from '../pool/background-work.js'
import { locateIn } from '../pool/stuck-workers.js'

// What happens after a swap is kept off the path of the new code's first
// response, which shares the cores with it: the old generation's teardown
// (its first request took 9.5 ms instead of 4.2 ms with 2 workers on 2 cores
// when the old generation ended at once) and the next standby's boot (~30 ms
// of CPU per worker). Both start as soon as the new generation has answered a
// request, or this long after the swap if none comes.
export const AFTER_SWAP_MS = 50

export class Retirements {
  readonly #retiring = new Set<Generation>()

  constructor(
    private readonly graceMs: number,
    private readonly roots: ProjectRoots,
    private readonly logger: Logger,
  ) {}

  /** The generations retiring now. */
  get all(): Iterable<Generation> {
    return this.#retiring
  }

  /** Once `next` has answered (or soon after the swap): end `old`, then `then()` (the next standby's boot). */
  afterSwapOf(next: Generation, old: Generation | undefined, then: () => void): void {
    if (old) this.#retiring.add(old)
    let done = false
    const run = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (old) void this.retire(old, 'reload')
      then()
    }
    const timer = setTimeout(run, AFTER_SWAP_MS).unref()
    void next.served.then(run)
  }

  /** Let `generation` finish its requests and its ctx.waitUntil() work, within the grace ('broken': the new code does not build or load). */
  async retire(generation: Generation, why: 'reload' | 'broken' | 'shutdown'): Promise<void> {
    this.#retiring.add(generation)
    const cut = await generation.retire(this.graceMs, why, locateIn(this.roots))
    this.#retiring.delete(generation)
    if (cut) this.logger.warn(backgroundWorkCut(cut, generation.number, this.graceMs, why === 'shutdown'))
  }
}
