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

/**
 * Open the inspector (once per process) and return its ws:// URL. The HTTP
 * port is one the debugger cannot share, unless hotcell would take the next
 * free one (no port asked for). `addressNames`: how the user set each
 * (`--inspect`, `hotcell.config.ts: inspect`), for the messages. Refuses,
 * with one line that says how to choose another port, what Node would only
 * report on stderr (inspector.open() does not throw when its port is taken:
 * it prints "Starting inspector on … failed" and the server would serve
 * undebuggable).
 */
export async function openInspector(
  port: number,
  serve: { port: number; nextFreePort: boolean; addressNames: { inspect?: string; port?: string } },
): Promise<string> {
  const open = inspector.url()
  if (open) return open
  const names = serve.addressNames
  const servePort = serve.nextFreePort ? undefined : serve.port
  const inspect = names.inspect ?? '--inspect'
  const choose = inspect.startsWith('--')
    ? `choose another port with ${inspect}=<port> (${inspect}=0 for a free one)`
    : `choose another port for ${inspect} (0 for a free one)`
  if (port !== 0 && port === servePort)
    throw new HotcellError('ERR_LISTEN', `${inspect} and ${names.port ?? '--port'} name the same port, ${port}: the debugger needs one of its own; ${choose}.`)
  // Probed first so that Node's own line about it never prints.
  if (port !== 0 && (await inUse(port)))
    throw new HotcellError('ERR_LISTEN', `the ${inspect} port ${port} is already in use on ${INSPECT_HOST}. Stop what holds it, or ${choose}.`)
  try {
    inspector.open(port, INSPECT_HOST, false)
  } catch (error) {
    throw new HotcellError('ERR_LISTEN', `cannot open the inspector on ${INSPECT_HOST}:${port}: ${(error as Error).message}; ${choose}.`)
  }
  // Taken between the probe and now.
  const url = inspector.url()
  if (!url) throw new HotcellError('ERR_LISTEN', `cannot open the inspector on ${INSPECT_HOST}:${port} (Node says why above); ${choose}.`)
  return url
}

/** Whether something listens on INSPECT_HOST:port (other errors are left for inspector.open() to report). */
function inUse(port: number): Promise<boolean> {
  const { createServer } = process.getBuiltinModule('node:net')
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'))
    probe.listen({ port, host: INSPECT_HOST, exclusive: true }, () => probe.close(() => resolve(false)))
  })
}
