// The `o` hotkey: the platform's own "open this URL" command, detached.
import { spawn } from 'node:child_process'

export function openBrowser(url: string, say: { info(line: string): void; error(line: string): void }): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]]
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    say.info(`hotcell: opening ${url} in your browser`)
    child.once('error', (error) => say.error(`hotcell: could not open a browser (${command}: ${error.message}); open ${url} yourself`))
    // xdg-open exits non-zero when it finds no browser (a headless machine, a container).
    child.once('exit', (code) => code && say.error(`hotcell: could not open a browser (${command} exited with ${code}); open ${url} yourself`))
    child.unref()
  } catch (error) {
    say.error(`hotcell: could not open a browser (${(error as Error).message}); open ${url} yourself`)
  }
}
