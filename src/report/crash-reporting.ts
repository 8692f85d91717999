// Terminal output for worker faults that no response carries: an error thrown
// by a callback of a request already answered, and a crash loop.
import { describeChain, locate } from './error-page.js'
import type { ProjectRoots } from './source-files.js'
import type { GenerationOptions } from '../pool/generation-options.js'
import type { Logger } from './logger.js'
import { uncaughtLog } from './fault-views.js'

/** `generation()` names it in a message: 'generation 4', or 'a standby generation' before it serves. */
export function crashReporting(logger: Logger, roots: ProjectRoots, generation: () => string): Pick<GenerationOptions, 'onUncaught' | 'onCrashLoop'> {
  return {
    onUncaught(report) {
      // A request still in flight fails with the error, and the dispatcher logs it
      // there; a ctx.waitUntil() rejection never fails it, so it is told here
      // whenever it comes, before the response too.
      if (report.running && report.kind !== 'waitUntil') return
      // With the code frame, as a 500 page shows one: the line is all that points at the cause.
      const frame = locate(report.error, roots)
      logger.error(`${uncaughtLog(report, generation())}\n${describeChain(report.error, roots)}\n${frame ? `\n${frame}\n` : ''}`)
    },
    onCrashLoop(error) {
      logger.error(`hotcell: ${generation()}: ${error.message}`)
    },
  }
}
