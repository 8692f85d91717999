// A line led by the time of day, as the logger leads its own (logger.ts), for
// the one writer with no logger: the supervisor (cli/supervisor.ts), whose
// lines land among the server's in the same terminal. It loads this only
// when it writes one: its bundle is kept small for a fast start.
import { timeOfDay } from './clock.js'

// Not an ESM import of node:util (docs/architecture.md#builtins).
const { styleText } = process.getBuiltinModule('node:util')

export type Terminal = NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }

/** `line` as written to `stream` at `at`: the time dimmed in a terminal that shows colours, as the logger's. */
export function timedLine(line: string, at: Date, stream: Terminal): string {
  const time = timeOfDay()(at)
  const color = Boolean(stream.isTTY && stream.hasColors?.() && !process.env.NO_COLOR)
  // The stream was checked here; styleText's own check would look at stdout.
  return `${color ? styleText('dim', time, { validateStream: false } as never) : time} ${line}\n`
}
