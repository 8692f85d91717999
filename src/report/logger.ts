import { painter, statusLabel, statusStyle, timeStamp } from './log-style.js'
import { NODE_FRAMES_LINE } from './node-frames.js'
import { trackRepeats } from './repeats.js'
import { thousands } from './thousands.js'

/** Where hotcell talks to the developer. One instance per server. */
export interface Logger {
  info(line: string): void
  warn(line: string): void
  /**
   * Multi-line text is fine: a build error, a stack. A failed request's block ends with its request line (renderText).
   * `background`: the block is an error no request carries (a late throw, a rejection), `key` the error and where it was
   * thrown; a repeat of the last error block printed is said in one line, with `whose` it was this time.
   */
  error(text: string, background?: Background): void
  /**
   * Printed at the end of this turn of the event loop, with the other request
   * lines of the turn. `status` 0: the client left before any response went out.
   * `note`: why hotcell itself answered so (a stalled body's 408), after the time.
   */
  request(line: { method: string; path: string; status: number; ms: number; worker?: number | undefined; note?: string | undefined }): void
  /** Write what waits: the request lines of this turn, and the count of a busy second's hidden ones. */
  flush(): void
  /** Request lines are not printed: callers may skip what only they need. */
  readonly quiet: boolean
  /** True when output goes to a terminal that shows colours. */
  readonly color: boolean
}

/** What tells one error no request carries from another, and whose code raised this one (for its repeat's line). */
export interface Background {
  /** The error and where it was thrown, not the request or the worker: the same key is the same error. */
  key: string
  /** "in code started by GET /poll (request already answered), w3" */
  whose: string
  /** The error's own message: a repeat's may differ (a count in it), and its line says the last one. */
  message?: string
}

export interface LoggerOptions {
  quiet: boolean
  stdout?: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }
  stderr?: NodeJS.WritableStream
  /** Instead of the two streams: each piece of text, with its level (serve()'s `log` option); no colours. */
  write?: (level: LogLevel, text: string) => void
  /** The clock, for tests. */
  now?: () => Date
}

// Every such line of a block.
const HIDDEN_FRAMES_LINES = new RegExp(NODE_FRAMES_LINE.source, 'gm')
// hotcell's own endpoints (the live-reload stream of every open tab) are not the app's requests.
const OWN_PATH = '/__hotcell/'
// The last line of a failed request's block (renderText): "GET http://127.0.0.1:3000/boom".
const REQUEST_LINE = /\n([A-Z][A-Z0-9!#$%&'*+.^_`|~-]*) (https?:\/\/[^/\s]+)(\/\S*)\n*$/

export type LogLevel = 'info' | 'warn' | 'error'

export function createLogger({ quiet, stdout = process.stdout, stderr = process.stderr, write, now = () => new Date() }: LoggerOptions): Logger {
  const color = !write && Boolean(stdout.isTTY && stdout.hasColors?.() && !process.env.NO_COLOR)
  const put = write ?? ((level: LogLevel, text: string) => (level === 'info' ? stdout : stderr).write(text))
  const paint = painter(color)
  const stampOf = timeStamp(paint)
  const stamp = () => stampOf(now())
  /** The block printed last, without its request line: the next identical one is said in one line. */
  let lastBlock: string | undefined
  /**
   * The key of the background error printed last, while no other error block
   * came after it: a poller's late throw comes between request lines, and
   * each would otherwise be its whole report again (15 lines a request).
   */
  let lastBackground: string | undefined
  /** When the background error printed last was last seen: after a quiet stretch, it is printed whole again. */
  let lastBackgroundAt = 0
  /** The message of the block printed in full, and the last repeat's: the count's line says the last one if it differs. */
  let printedMessage: string | undefined
  let againMessage: string | undefined
  /**
   * Requests whose error block was not printed again, by `METHOD path`: their
   * request lines say "the same error as above" instead. A count, because
   * concurrent requests to the same path fail together.
   */
  const sameAsAbove = new Map<string, number>()
  /**
   * Requests whose error block was printed, by `METHOD path`, until their own
   * request line comes: that line is not "the same error as above" of a repeat
   * whose request line never comes (a client that left was logged already).
   */
  const blockShown = new Map<string, number>()
  // Request lines are written once per turn of the event loop, not one write
  // each: under load, a write per request (a syscall, synchronous to a
  // terminal) cost more than serving the request. Anything else written
  // flushes them first, so the log keeps its order.
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending === '') return
    const text = pending
    pending = ''
    put('info', text)
  }
  const schedule = () => {
    if (pending.length > FLUSH_AT) flush()
    else if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }
  // Under load (a benchmark, a load test) the lines scroll by faster than
  // anyone reads them, and a terminal drawing 40,000 a second takes a core
  // from the server: past LINES_PER_SECOND, a second's requests are counted
  // by status and said in one line.
  let second = Number.NaN
  let shownThisSecond = 0
  const hidden = new Map<number, number>()
  let hiddenTotal = 0
  /** When the first hidden request of the count came: the summary carries its second. */
  let hiddenSince = new Date(0)
  let summaryTimer: NodeJS.Timeout | undefined
  const summarize = () => {
    clearTimeout(summaryTimer)
    summaryTimer = undefined
    if (hiddenTotal === 0) return
    const counts = [...hidden]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${paint(statusStyle(status), statusLabel(status))} ×${thousands(n)}`)
      .join(', ')
    pending += `${stampOf(hiddenSince)}${paint('dim', `… ${thousands(hiddenTotal)} more ${hiddenTotal === 1 ? 'request' : 'requests'} not shown:`)} ${counts}\n`
    hidden.clear()
    hiddenTotal = 0
    schedule()
  }
  // An error block with no request (a timer's throw, a rejection) that comes again as it was: counted, said in one line.
  const sameAgain = trackRepeats((count) => {
    flush()
    const last = againMessage !== undefined && againMessage !== printedMessage ? `, the last: ${oneLine(againMessage)}` : ''
    put('error', `${stamp()}${paint('red', '· the same error again')} ${paint('dim', `(×${thousands(count)}${last})`)}\n`)
  })
  const out = (text: string) => {
    sameAgain.interrupt()
    // A reload, a ready line: the next background error is printed whole, not as "the same error as above" far above.
    lastBackground = undefined
    summarize()
    flush()
    put('info', text)
  }
  const err = (text: string, level: LogLevel = 'error') => {
    sameAgain.interrupt()
    summarize()
    flush()
    put(level, text)
  }

  return {
    color,
    quiet,
    flush() {
      sameAgain.interrupt()
      summarize()
      flush()
    },
    info: (line) => out(stamp() + line + '\n'),
    warn: (line) => err(stamp() + paint('yellow', line) + '\n', 'warn'),
    error(text, background) {
      const request = background ? null : REQUEST_LINE.exec(text)
      const body = (request ? text.slice(0, request.index) : text).replace(/\n+$/, '')
      const key = request ? `${request[1]} ${request[3]}` : undefined
      if (background) {
        const at = now().getTime()
        // Quiet for a while: printed whole again, as a new occurrence would be read.
        if (at - lastBackgroundAt > QUIET_MS) {
          lastBackground = undefined
          sameAgain.interrupt()
        }
        lastBackgroundAt = at
        // Nothing in between: counted. Request lines in between: one line each, as a failed request's repeat gets.
        againMessage = background.message
        if (sameAgain.again(background.key)) return
        if (background.key === lastBackground) {
          err(`${stamp()}${paint('red', '· the same error as above')}${paint('dim', `, ${background.whose}`)}\n`)
          sameAgain.printed(background.key)
          return
        }
      }
      if (key && body === lastBlock) {
        // A browser asks for /favicon.ico after every page: one error, one block.
        if (quiet) err(`${stamp()}${key}: ${paint('red', 'the same error as above')}\n`)
        else add(sameAsAbove, key)
        return
      }
      lastBackground = background?.key
      printedMessage = background?.message
      if (!request && !background && sameAgain.again(body)) return
      lastBlock = request ? body : undefined
      if (key && !quiet) add(blockShown, key)
      // A failed request's block ends with its request line; unless quiet, the log's own request line follows with status and time.
      let shown = request && !quiet ? body : text.replace(/\n+$/, '')
      // The count of Node's frames left out of a stack (node-frames.ts) is said in passing.
      if (color) shown = shown.replace(HIDDEN_FRAMES_LINES, (line) => paint('dim', line))
      const lead = /^\n*/.exec(shown)![0]
      err(lead + stamp() + shown.slice(lead.length) + '\n')
      if (!request) sameAgain.printed(background?.key ?? body)
    },
    request({ method, path, status, ms, worker, note }) {
      if (quiet || path.startsWith(OWN_PATH)) return
      // A request line in between: the next repeat of a background error gets a line of its own, not the count.
      sameAgain.interrupt()
      const date = now()
      const at = Math.floor(date.getTime() / 1000)
      if (at !== second) {
        summarize()
        second = at
        shownThisSecond = 0
      }
      // Empty unless an error block was just said: no key to build on each request.
      let repeats: number | undefined
      // Only a failed request's line: a repeat whose line never came must not mark a later success.
      if ((sameAsAbove.size > 0 || blockShown.size > 0) && (status === 0 || status >= 400)) {
        const key = `${method} ${path}`
        if (!take(blockShown, key)) repeats = take(sameAsAbove, key)
      }
      const same = repeats !== undefined ? ` ${paint('red', '· the same error as above')}` : note !== undefined ? ` ${paint('yellow', `· ${note}`)}` : ''
      if (++shownThisSecond > LINES_PER_SECOND) {
        if (hiddenTotal === 0) hiddenSince = date
        hidden.set(status, (hidden.get(status) ?? 0) + 1)
        hiddenTotal++
        // Said when the second is over, or before anything else is written.
        if (!summaryTimer) {
          summaryTimer = setTimeout(summarize, 1000 - (date.getTime() % 1000))
          summaryTimer.unref()
        }
        return
      }
      const where = worker === undefined ? '' : paint('dim', ` w${worker}`)
      pending += `${stampOf(date)}${method} ${shortPath(path)} ${paint(statusStyle(status), statusLabel(status))} ${paint('dim', `${ms.toFixed(1)}ms`)}${where}${same}\n`
      schedule()
    },
  }
}

/** A background error not seen again for this long is printed whole when it comes back. */
const QUIET_MS = 60_000

/** A message's first line, bounded: it closes a one-line count. */
function oneLine(message: string): string {
  const first = message.split('\n', 1)[0]!
  return first.length <= 120 ? first : `${first.slice(0, 120)}…`
}

/** Request lines waiting beyond this many characters are written at once. */
const FLUSH_AT = 32 * 1024
/** Request lines shown in one second; the rest of that second's are counted. */
const LINES_PER_SECOND = 100

function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

/** Take one from `key`'s count: the count it had, or undefined if none. */
function take(counts: Map<string, number>, key: string): number | undefined {
  const count = counts.get(key)
  if (count === undefined) return undefined
  if (count > 1) counts.set(key, count - 1)
  else counts.delete(key)
  return count
}

/** Past this, a request line's path is cut: a 9,000-character URL would fill the screen at every request. */
const PATH_SHOWN = 200

function shortPath(path: string): string {
  return path.length <= PATH_SHOWN ? path : `${path.slice(0, PATH_SHOWN)}… (${path.length} characters)`
}
