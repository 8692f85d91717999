// The `o` hotkey: the platform's own "open this URL" command, detached.
import { spawn } from 'node:child_process'

export function openBrowser(url: string, onError: (message: string) => void): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]]
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    child.once('error', (error) => onError(`hotcell: could not open a browser (${command}: ${error.message}); open ${url} yourself`))
    child.unref()
  } catch (error) {
    onError(`hotcell: could not open a browser (${(error as Error).message}); open ${url} yourself`)
  }
}
