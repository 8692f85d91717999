// Not an ESM import of node:util (docs/architecture.md#builtins).
const { styleText } = process.getBuiltinModule('node:util')

type Style = Parameters<typeof styleText>[0]

/** Where hotcell talks to the developer. One instance per server. */
export interface Logger {
  info(line: string): void
  warn(line: string): void
  /** Multi-line text is fine: a build error, a stack. A failed request's block ends with its request line (renderText). */
  error(text: string): void
  request(line: { method: string; path: string; status: number; ms: number; worker?: number }): void
  /** Request lines are not printed: callers may skip what only they need. */
  readonly quiet: boolean
  /** True when output goes to a terminal that shows colours. */
  readonly color: boolean
}

export interface LoggerOptions {
  quiet: boolean
  stdout?: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }
  stderr?: NodeJS.WritableStream
  /** The clock, for tests. */
  now?: () => Date
}

// hotcell's own endpoints (the live-reload stream of every open tab) are not the app's requests.
const OWN_PATH = '/__hotcell/'
// The last line of a failed request's block (renderText): "GET http://127.0.0.1:3000/boom".
const REQUEST_LINE = /\n([A-Z][A-Z0-9!#$%&'*+.^_`|~-]*) (https?:\/\/[^/\s]+)(\/\S*)\n*$/

export function createLogger({ quiet, stdout = process.stdout, stderr = process.stderr, now = () => new Date() }: LoggerOptions): Logger {
  const color = Boolean(stdout.isTTY && stdout.hasColors?.() && !process.env.NO_COLOR)
  const paint = (style: Style, text: string) => (color ? styleText(style, text) : text)
  // Like Vite's "3:04:05 PM", in the user's locale.
  const stamp = () => paint('dim', now().toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' })) + ' '
  /** The block printed last, without its request line: the next identical one is said in one line. */
  let lastBlock: string | undefined
  /** Requests whose error block said "the same error as above" in their own request line. */
  const sameAsAbove = new Set<string>()

  return {
    color,
    quiet,
    info: (line) => void stdout.write(stamp() + line + '\n'),
    warn: (line) => void stderr.write(stamp() + paint('yellow', line) + '\n'),
    error(text) {
      const request = REQUEST_LINE.exec(text)
      const body = (request ? text.slice(0, request.index) : text).replace(/\n+$/, '')
      if (request && body === lastBlock) {
        // A browser asks for /favicon.ico after every page: one error, one block.
        const key = `${request[1]} ${request[3]}`
        if (quiet) stderr.write(`${stamp()}${key}: ${paint('red', 'the same error as above')}\n`)
        else sameAsAbove.add(key)
        return
      }
      lastBlock = request ? body : undefined
      // A failed request's block ends with its request line; unless quiet, the log's own request line follows with status and time.
      const shown = request && !quiet ? body : text.replace(/\n+$/, '')
      const lead = /^\n*/.exec(shown)![0]
      stderr.write(lead + stamp() + shown.slice(lead.length) + '\n')
    },
    request({ method, path, status, ms, worker }) {
      if (quiet || path.startsWith(OWN_PATH)) return
      const statusStyle: Style = status >= 500 ? 'red' : status >= 400 ? 'yellow' : status >= 300 ? 'cyan' : 'green'
      const where = worker === undefined ? '' : paint('dim', ` w${worker}`)
      const key = `${method} ${path}`
      const same = sameAsAbove.delete(key) ? ` ${paint('red', '· the same error as above')}` : ''
      stdout.write(`${stamp()}${method} ${path} ${paint(statusStyle, String(status))} ${paint('dim', `${ms.toFixed(1)}ms`)}${where}${same}\n`)
    },
  }
}
