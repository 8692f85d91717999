// Single-key commands while hotcell runs in a terminal: r reload, o open,
// c clear, q quit, h help. Raw mode swallows Ctrl-C's SIGINT, so Ctrl-C and
// Ctrl-D are handled here as quit (twice: exit now, as the signal handler does).
import { emitKeypressEvents } from 'node:readline'

export interface HotkeyActions {
  reload(): void
  open(): void
  clear(): void
  quit(): void
  /** The second quit request: stop waiting for requests in flight. */
  forceQuit(): void
  help(text: string): void
}

export const HOTKEY_HELP = `  r  rebuild and reload now
  o  open the server in a browser
  c  clear the terminal
  q  quit (Ctrl-C too; twice: without waiting)
  h  show this help
`

export interface Key {
  name?: string
  ctrl?: boolean
  meta?: boolean
  sequence?: string
}

/** The keypress handler, separate from the terminal so tests can drive it. */
export function createKeyHandler(actions: HotkeyActions): (text: string | undefined, key: Key | undefined) => void {
  let quitting = false
  const quit = () => {
    if (quitting) return actions.forceQuit()
    quitting = true
    actions.quit()
  }
  return (_text, key) => {
    if (!key || key.meta) return
    if (key.ctrl) {
      if (key.name === 'c' || key.name === 'd') quit()
      return
    }
    switch (key.name) {
      case 'r':
        return actions.reload()
      case 'o':
        return actions.open()
      case 'c':
        return actions.clear()
      case 'q':
        return quit()
      case 'h':
        return actions.help(HOTKEY_HELP)
    }
  }
}

/** Listen for keys on a terminal; returns the function that gives the terminal back. */
export function installHotkeys(input: NodeJS.ReadStream, actions: HotkeyActions): () => void {
  if (!input.isTTY) return () => {}
  const onKey = createKeyHandler(actions)
  emitKeypressEvents(input)
  input.setRawMode(true)
  input.on('keypress', onKey)
  input.resume()
  return () => {
    input.off('keypress', onKey)
    input.setRawMode(false)
    input.pause()
  }
}
