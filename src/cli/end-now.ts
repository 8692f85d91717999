// The server process ends at once, because a worker thread it cannot stop
// would keep it alive (and growing) forever, and process.exit() would wait
// for that thread too (pool/unstoppable-worker.ts). SIGKILL is the one exit
// that does not wait; the supervisor, if any, starts a new server process on
// the same socket, as after a V8 fatal error.
import { readFileSync } from 'node:fs'
import type { Logger } from '../report/logger.js'

/** Say `line` (through the log, which leads it with the time), then end this process. */
export function endProcessNow(line: string, log: Pick<Logger, 'error'>, supervised: boolean): void {
  // Out before the kill: process.stderr writes synchronously on Linux.
  log.error(line)
  // Unsupervised, nobody else takes the terminal out of raw mode (the hotkeys').
  if (!supervised && process.stdin.isTTY) process.stdin.setRawMode(false)
  endChildren()
  process.kill(process.pid, 'SIGKILL')
}

/**
 * Before this process ends without closing down: its children (esbuild's
 * service) would otherwise lose their parent mid-conversation, and esbuild
 * then prints a Go stack dump into the terminal ("all goroutines are asleep
 * - deadlock!"; seen after a second Ctrl-C, 1 time in 14).
 */
export function endChildren(): void {
  for (const pid of childPids()) {
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // Gone already.
    }
  }
}

function childPids(): number[] {
  try {
    return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    // Not Linux: the children find out on their own.
    return []
  }
}
