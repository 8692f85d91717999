import { styleText } from 'node:util'

type Style = Parameters<typeof styleText>[0]

/** Where hotcell talks to the developer. One instance per server. */
export interface Logger {
  info(line: string): void
  warn(line: string): void
  /** Multi-line text is fine: a build error, a stack. */
  error(text: string): void
  request(line: { method: string; path: string; status: number; ms: number; worker?: number }): void
  /** True when output goes to a terminal that shows colours. */
  readonly color: boolean
}

export interface LoggerOptions {
  quiet: boolean
  stdout?: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }
  stderr?: NodeJS.WritableStream
}

export function createLogger({ quiet, stdout = process.stdout, stderr = process.stderr }: LoggerOptions): Logger {
  const color = Boolean(stdout.isTTY && stdout.hasColors?.() && !process.env.NO_COLOR)
  const paint = (style: Style, text: string) => (color ? styleText(style, text) : text)
  return {
    color,
    info: (line) => void stdout.write(line + '\n'),
    warn: (line) => void stderr.write(paint('yellow', line) + '\n'),
    error: (text) => void stderr.write(text.endsWith('\n') ? text : text + '\n'),
    request({ method, path, status, ms, worker }) {
      if (quiet) return
      const statusStyle: Style = status >= 500 ? 'red' : status >= 400 ? 'yellow' : status >= 300 ? 'cyan' : 'green'
      const where = worker === undefined ? '' : paint('dim', ` w${worker}`)
      // The live-reload stream's URL carries the process token: keep it off screens and logs.
      stdout.write(`${method} ${path.replace(/([?&]token=)[^&]*/, '$1…')} ${paint(statusStyle, String(status))} ${paint('dim', `${ms.toFixed(1)}ms`)}${where}\n`)
    },
  }
}
