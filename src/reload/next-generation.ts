// The generation a reload's bundle goes to: the standby booted for it, or a
// fresh one when none is up; waited for while it boots, and made once more
// when its workers could not start.
import type { Generation } from '../pool/generation.js'
import type { Logger } from '../report/logger.js'
import type { GenerationMaker } from './generation-maker.js'
import type { Standbys } from './standbys.js'

export interface NextParts {
  readonly standbys: Standbys
  readonly maker: GenerationMaker
  readonly logger: Logger
  /** The generation serving, if any. */
  current(): Generation | undefined
  /** Triggers arrived that this reload does not cover (ReloadHooks). */
  stale(): boolean
  closed(): boolean
  /** Build this reload's reasons again, at once (ReloadHooks). */
  rebuild(): void
}

/** Undefined: none this time, the old code keeps serving (built again with newer saves, or its workers could not start: said). */
export async function nextGeneration({ standbys, maker, logger, current, stale, closed, rebuild }: NextParts): Promise<Generation | undefined> {
  let next = standbys.take() ?? maker.make()
  if (!next.isBooted && current()) {
    // Edits came faster than standbys boot. Saves made while this one booted
    // are built first (a few ms), and their bundle is the one it gets: one
    // standby serves them all, instead of this bundle taking it and the next
    // waiting for another boot. Once: the follow-up finds it booted.
    await next.booted
    if (stale() && !closed()) {
      standbys.putBack(next)
      // Built again with the newer saves: the reload that serves names these files too.
      rebuild()
      return undefined
    }
  }
  if (next.bootError && current()) {
    // Once more with a fresh generation: the cause may have passed (a reinstall that has finished).
    void next.destroy()
    next = maker.make()
    await next.booted
    if (next.bootError) {
      void next.destroy()
      logger.error(
        `hotcell: the workers for this change could not start (${next.bootError.message}). Generation ${current()!.number} keeps serving; the next save tries again.`,
      )
      return undefined
    }
  }
  return next
}
