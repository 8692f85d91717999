// --inspect: the inspector of the main process, on loopback. Worker threads are
// reported to a debugger attached there through the NodeWorker domain (Chrome
// DevTools lists them under the target; VS Code's js-debug attaches to each),
// so one endpoint covers every generation and stays put across reloads.
import inspector from 'node:inspector'
import { HotcellError } from '../errors.js'

export const DEFAULT_INSPECT_PORT = 9229
export const INSPECT_HOST = '127.0.0.1'

export function mustBeInspect(value: unknown, name = 'inspect'): number | undefined {
  if (value === undefined || value === false) return undefined
  if (value === true) return DEFAULT_INSPECT_PORT
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
    const expected = name.startsWith('--') ? `a port from 0 to 65535, as in ${name}=9230` : 'true or a port from 0 to 65535'
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be ${expected} (got ${JSON.stringify(value)})`)
  }
  return n
}

/** Open the inspector (once per process) and return its ws:// URL. */
export function openInspector(port: number): string {
  const open = inspector.url()
  if (open) return open
  try {
    inspector.open(port, INSPECT_HOST, false)
  } catch (error) {
    throw new HotcellError(
      'ERR_LISTEN',
      `cannot open the inspector on ${INSPECT_HOST}:${port}: ${(error as Error).message}. Choose another port with --inspect=<port>.`,
    )
  }
  return inspector.url()!
}
