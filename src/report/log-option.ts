// serve()'s `log` option: where the server's log goes instead of the terminal. A test that expects a
// failing request keeps its error block out of the test's output, or collects it to look at.
import { HotcellError } from '../errors.js'
import { createLogger, type Logger, type LogLevel } from './logger.js'

/** One entry of the log: a line (a request, a reload, a warning), or a block of lines (an error with its stack and code frame). */
export interface LogEntry {
  level: LogLevel
  /** As the terminal shows it (time of day first), without colours and without a final newline. */
  text: string
}

/** `false`: nothing is printed. A function: it gets every entry, and nothing is printed. */
export type LogOption = false | ((entry: LogEntry) => void)

/** The logger of a server started by serve(): the terminal's, unless `log` says otherwise. */
export function loggerFor(log: unknown, quiet: boolean): Logger {
  if (log === undefined) return createLogger({ quiet })
  if (log === false) return createLogger({ quiet, write: () => {} })
  if (typeof log !== 'function') {
    throw new HotcellError('ERR_INVALID_OPTION', `log must be false (print nothing) or a function that takes each entry { level, text } (got ${typeof log})`)
  }
  let broken = false
  const send = (entry: LogEntry) => {
    if (broken) return
    try {
      log(entry)
    } catch (error) {
      // The log is called from the request path: a throw there would fail requests that have nothing wrong.
      broken = true
      process.stderr.write(`hotcell: the log function threw, and is not called again: ${error instanceof Error ? error.message : String(error)}\n`)
    }
  }
  return createLogger({
    quiet,
    write: (level, text) => {
      // Request lines come a turn's worth at a time: one entry each.
      const entries = level === 'info' ? text.split('\n') : [text.replace(/^\n+|\n+$/g, '')]
      for (const entry of entries) if (entry !== '') send({ level, text: entry })
    },
  })
}
