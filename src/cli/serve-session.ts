// What the command line does once the server is up: the banner, and hotkeys
// in a terminal, until the user asks to stop.
import type { HotcellServer } from '../server-api.js'
import { bannerLines } from './banner.js'
import { stateLine } from '../report/serving-state.js'
import { exitNow } from './exit-now.js'

// Not an ESM import of node:util (docs/architecture.md#builtins).
const { styleText } = process.getBuiltinModule('node:util')

export interface SessionIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }
  stderr: NodeJS.WritableStream
  /** `stop`: with the signal the process got, if a signal stopped it. */
  onStop?: (stop: (signal?: StopSignal) => void) => void
  stdin?: NodeJS.ReadStream
  env: NodeJS.ProcessEnv
}

export type StopSignal = 'SIGINT' | 'SIGTERM'

export interface SessionOptions {
  version: string
  quiet: boolean
  /** Lines that come first: the ready line, and what is exposed to whom. */
  head: string[]
  configFile?: string
  /** Start a new server process (under the supervisor): the r key does, when a reload cannot fix what is served (a native addon's failed load). */
  newProcess?: () => void
}

/**
 * Print the banner, listen for hotkeys; resolves when the user asks to stop,
 * to the signal the app's code is told: the one the process got, and SIGINT
 * for a Ctrl-C or `q` in the terminal (what a Ctrl-C sends an app run by node).
 */
export async function runSession(server: HotcellServer, io: SessionIO, { version, quiet, head, configFile, newProcess }: SessionOptions): Promise<StopSignal> {
  const color = Boolean(io.stdout.isTTY && io.stdout.hasColors?.() && !io.env.NO_COLOR)
  const tty = io.stdin?.isTTY === true
  const info = server.info
  const lines = [...head]
  if (!quiet) lines.push(...bannerLines(info, { version, color, hotkeys: tty, configFile, port: server.port }))
  else if (info.inspector) lines.push(`hotcell: debugger endpoint ${info.inspector}`)
  // After a failed start the error came first: the last line says what is served now, and what to do.
  if (info.problem) lines.push(color ? styleText('red', stateLine(info.problem, server.url)) : stateLine(info.problem, server.url))
  let release = () => {}
  let stopped = false
  let stopWith!: (signal: StopSignal) => void
  const stopping = new Promise<StopSignal>((resolve) => (stopWith = resolve))
  const stop = (signal: StopSignal = 'SIGINT') => {
    stopped = true
    release()
    stopWith(signal)
  }
  // Before the ready line: whoever stops the server as soon as they read it (a
  // test, a process manager, a script) gets the graceful stop, with the app's
  // listeners. Installed after it, a SIGTERM sent on reading it found no
  // handler in 8 of 20 tries and ended the process at once.
  io.onStop?.(stop)
  // One write: a reader that sees the ready line sees the whole banner.
  io.stdout.write(lines.join('\n') + '\n')
  if (tty) {
    // Only a terminal has keys: loaded after the banner, and the browser opener on its key.
    void import('./hotkeys.js').then(({ installHotkeys }) => {
      if (stopped) return
      release = installHotkeys(io.stdin!, {
        reload: () => {
          // The library of a native addon whose load failed stays mapped in this process: a reload would meet it again.
          if (!newProcess || !server.info.problem?.newProcess) return void server.reload()
          io.stdout.write('↻ reload requested · starting a new server process: a native addon that failed to load can be loaded only by a new one\n')
          newProcess()
        },
        open: () =>
          void import('./open-browser.js').then(({ openBrowser }) =>
            openBrowser(server.url, { info: (line) => io.stdout.write(line + '\n'), error: (line) => io.stderr.write(line + '\n') }),
          ),
        clear: () => io.stdout.write('\x1b[2J\x1b[3J\x1b[H'),
        quit: () => {
          // Quitting gives the terminal back (cooked mode): a second Ctrl-C
          // then comes as SIGINT, to this process and through the supervisor,
          // and means "now" as the key would have.
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.prependOnceListener(signal, () => exitNow(130))
          stop('SIGINT')
        },
        forceQuit: () => exitNow(130),
        help: (text) => io.stdout.write((color ? styleText('dim', 'keys\n') : 'keys\n') + text),
      })
    })
  }
  return stopping
}
