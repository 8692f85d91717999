// Terminal output for worker faults that no response carries: an error thrown
// by a callback of a request already answered, a crash loop, a worker
// replaced for its off-heap memory between requests, and the app's cleanup
// cut short at the generation's end.
import { describeChain, locate } from './error-page.js'
import type { ProjectRoots } from './source-files.js'
import type { GenerationOptions } from '../pool/generation-options.js'
import type { Logger } from './logger.js'
import { uncaughtLog, uncaughtWhose } from './fault-views.js'

/** Generations reported for so far: each one's key for a taken port is its own. */
let made = 0

/** `generation()` names it in a message: 'generation 4', or 'a standby generation' before it serves. */
export function crashReporting(
  logger: Logger,
  roots: ProjectRoots,
  generation: () => string,
): Pick<GenerationOptions, 'onUncaught' | 'onCrashLoop' | 'onMemoryOver' | 'onCleanupCut' | 'onWorkerExited'> {
  const own = ++made
  return {
    onUncaught(report, context) {
      // A request still in flight fails with the error, and the dispatcher logs it
      // there; a ctx.waitUntil() rejection never fails it, so it is told here
      // whenever it comes, before the response too.
      if (report.running && report.kind !== 'waitUntil') return
      // With the code frame, as a 500 page shows one: the line is all that points at the cause.
      const frame = locate(report.error, roots)
      const chain = describeChain(report.error, roots)
      // The same error at the same place is the same key, whichever request's code raised it, on whichever worker, and
      // whatever numbers its message carries: a timer's "failed, tick 3", "tick 6"… is one error coming again, not a new one each time.
      // A port taken at import (a fixed port the module binds) is said in full for each generation it happens in, not as "the same error as above".
      const key = `${report.kind}\n${describeChain({ ...report.error, message: report.error.message.replace(/\d+/g, '#') }, roots)}\n${frame ?? ''}${report.error.code === 'EADDRINUSE' ? `\n${own}` : ''}`
      logger.error(`${uncaughtLog(report, generation(), context)}\n${chain}\n${frame ? `\n${frame}\n` : ''}`, {
        key,
        whose: uncaughtWhose(report),
        message: report.error.message,
      })
    },
    onCrashLoop(error) {
      // process.exit() in the app's code: where it was called (workers/exit-note.ts), as the 500 page shows it.
      const frame = locate(error, roots)
      logger.error(`hotcell: ${generation()}: ${error.message}${frame ? `\nat ${frame}\n` : ''}`)
    },
    onWorkerExited(threadId, death) {
      const frame = locate(death, roots)
      const how = death.message.replace(/^The worker thread exited/, 'exited on its own').replace(/ \(process\.exit.*$/, '.')
      logger.error(
        `hotcell: ${generation()}: worker ${threadId} ${how} No request was running on it; hotcell started a new one.${frame ? `\nat ${frame}\n` : ''}`,
        {
          key: `exited\n${death.message}\n${frame ?? ''}`,
          whose: `w${threadId}`,
        },
      )
    },
    onMemoryOver(message, whose) {
      // Code that holds more than the limit once imported gets each replacement replaced too: after the first, a line each.
      logger.error(`hotcell: ${generation()}: ${message}`, { key: 'over --max-memory off-heap', whose })
    },
    onCleanupCut(text) {
      logger.warn(`hotcell: ${generation()}: ${text}`)
    },
  }
}
