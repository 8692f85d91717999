// A block the terminal printed that comes again, word for word, with nothing
// printed in between: a poller's timer that throws every 300 ms, a rejection
// in a loop. Printed in full each time, its ~14 lines took the screen (140
// lines in 3 s) and scrolled the request log away. The first report stays
// whole; the repeats are counted and said in one line, at once when anything
// else is about to be printed (so the log keeps its order), otherwise after a
// wait that doubles while the error goes on: it keeps happening, the line
// says so, without a line per repeat. Anything else printed in between (a
// request line, another error) ends the count; after a request line the
// logger says the next one in one line of its own, after another error it
// prints it whole again.

/** The first repeat's count waits this long; each later one twice as long as the one before, up to the most. */
const FIRST_WAIT_MS = 1000
const MOST_WAIT_MS = 30_000

export interface Repeats {
  /** `block` is the one printed last: it is counted, and true is returned (print nothing). */
  again(block: string): boolean
  /** `block` was printed in full: its repeats are counted from now. */
  printed(block: string): void
  /** Something else is about to be printed: the count so far goes out first, and the block is forgotten. */
  interrupt(): void
}

/** `say(n)` prints the line for `n` repeats of the last block so far. */
export function trackRepeats(say: (count: number) => void): Repeats {
  let last: string | undefined
  /** Repeats of `last` since it was printed, and how many of them a line has said. */
  let count = 0
  let said = 0
  let wait = FIRST_WAIT_MS
  let timer: NodeJS.Timeout | undefined
  const sayCount = () => {
    clearTimeout(timer)
    timer = undefined
    if (count === said) return
    said = count
    say(count)
  }
  return {
    again(block) {
      if (block !== last) return false
      count++
      if (!timer) {
        timer = setTimeout(sayCount, wait)
        timer.unref()
        wait = Math.min(wait * 2, MOST_WAIT_MS)
      }
      return true
    },
    printed(block) {
      last = block
      count = 0
      said = 0
      wait = FIRST_WAIT_MS
    },
    interrupt() {
      if (last === undefined) return
      sayCount()
      last = undefined
    },
  }
}
