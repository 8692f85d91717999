// What the command line does once the server is up: the banner, and hotkeys
// in a terminal, until the user asks to stop.
import { styleText } from 'node:util'
import type { HotcellServer } from '../dev-server.js'
import { bannerLines } from './banner.js'
import { stateLine } from '../report/serving-state.js'
import { installHotkeys } from './hotkeys.js'
import { openBrowser } from './open-browser.js'

export interface SessionIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }
  stderr: NodeJS.WritableStream
  onStop?: (stop: () => void) => void
  stdin?: NodeJS.ReadStream
  env: NodeJS.ProcessEnv
}

/** Print the banner, listen for hotkeys; resolves when the user asks to stop. */
export async function runSession(server: HotcellServer, io: SessionIO, { version, quiet }: { version: string; quiet: boolean }): Promise<void> {
  const color = Boolean(io.stdout.isTTY && io.stdout.hasColors?.() && !io.env.NO_COLOR)
  const tty = io.stdin?.isTTY === true
  const info = server.info
  if (!quiet) for (const line of bannerLines(info, { version, color, hotkeys: tty })) io.stdout.write(line + '\n')
  else if (info.inspector) io.stdout.write(`hotcell: debugger endpoint ${info.inspector}\n`)
  // After a failed start the error came first: the last line says what is served now, and what to do.
  if (info.problem) io.stdout.write(`${color ? styleText('red', stateLine(info.problem, server.url)) : stateLine(info.problem, server.url)}\n`)
  await new Promise<void>((resolve) => {
    let release = () => {}
    const stop = () => {
      release()
      resolve()
    }
    io.onStop?.(stop)
    if (!tty) return
    release = installHotkeys(io.stdin!, {
      reload: () => void server.reload(),
      open: () => openBrowser(server.url, (message) => io.stderr.write(message + '\n')),
      clear: () => io.stdout.write('\x1b[2J\x1b[3J\x1b[H'),
      quit: stop,
      forceQuit: () => process.exit(130),
      help: (text) => io.stdout.write((color ? styleText('dim', 'keys\n') : 'keys\n') + text),
    })
  })
}
