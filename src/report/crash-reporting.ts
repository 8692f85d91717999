// Terminal output for worker faults that no response carries: an error thrown
// by a callback of a request already answered, and a crash loop.
import { describeChain } from './error-page.js'
import type { GenerationOptions } from '../pool/generation-options.js'
import type { Logger } from './logger.js'
import { uncaughtLog } from './fault-views.js'

export function crashReporting(logger: Logger, root: string, gen: () => number): Pick<GenerationOptions, 'onUncaught' | 'onCrashLoop'> {
  return {
    onUncaught(report) {
      // A request still in flight fails with the error, and the dispatcher logs it there.
      if (report.running) return
      logger.error(`${uncaughtLog(report, gen())}\n${describeChain(report.error, root)}\n`)
    },
    onCrashLoop(error) {
      logger.error(`hotcell: generation ${gen()}: ${error.message}`)
    },
  }
}
