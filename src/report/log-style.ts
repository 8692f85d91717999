// How a log line looks: the colour and label of a status, escape codes looked
// up once per style, and the time of day that leads each entry.
import { timeOfDay } from './clock.js'

// Not an ESM import of node:util (docs/architecture.md#builtins).
const { styleText } = process.getBuiltinModule('node:util')

export type Style = Parameters<typeof styleText>[0]

export function statusStyle(status: number): Style {
  return status === 0 ? 'dim' : status >= 500 ? 'red' : status >= 400 ? 'yellow' : status >= 300 ? 'cyan' : 'green'
}

/** Status 0: no response went out (the client left first); node:http's statusCode would read 200. */
export function statusLabel(status: number): string {
  return status === 0 ? 'client left, no response' : String(status)
}

/**
 * `styleText` with its escape codes looked up once per style: it validates its
 * arguments on every call, which cost ~2 µs a request with three styles a line.
 */
export function painter(color: boolean): (style: Style, text: string) => string {
  if (!color) return (_style, text) => text
  const codes = new Map<Style, [string, string]>()
  return (style, text) => {
    let code = codes.get(style)
    if (!code) {
      // The stream is the logger's, already found to show colours.
      const [open = '', close = ''] = styleText(style, '\0', { validateStream: false } as never).split('\0')
      code = [open, close]
      codes.set(style, code)
    }
    return code[0] + text + code[1]
  }
}

/** The time of day leading each entry, formatted once per second. */
export function timeStamp(paint: (style: Style, text: string) => string): (date: Date) => string {
  const format = timeOfDay()
  let second = Number.NaN
  let text = ''
  return (date) => {
    const at = Math.floor(date.getTime() / 1000)
    if (at !== second) {
      second = at
      text = paint('dim', format(date)) + ' '
    }
    return text
  }
}
