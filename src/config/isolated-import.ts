// A config file read again while the server runs (cli/config-watch.ts) is
// imported on a thread of its own: its code runs on the server's main thread
// otherwise, where a loop or a top-level await that never settles froze
// every request, and a fixed save was never read. The thread is ended at the
// deadline. Not used at start, where a thread would add ~30 ms to every
// start with a config file; the supervisor names a stuck start instead.
import { Worker } from 'node:worker_threads'

/** The thread's code: import, call a function export, send back the options (plain data) or the error. */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const fail = (error) => parentPort.postMessage({ ok: false, error: error instanceof Error
  ? { name: error.name, message: error.message, stack: error.stack }
  : { name: 'Error', message: String(error) } })
import(workerData).then(async (module) => {
  let value = module.default
  value = await (typeof value === 'function' ? value() : value)
  try {
    parentPort.postMessage({ ok: true, value, called: typeof module.default === 'function' })
  } catch (error) {
    fail(new TypeError('its options must be plain values (strings, numbers, booleans, arrays, objects): ' + error.message))
  }
}, fail).catch(fail)
`

export interface IsolatedExport {
  value: unknown
  called: boolean
}

type Reply = { ok: true; value: unknown; called: boolean } | { ok: false; error: { name: string; message: string; stack?: string } }

/** The default export of module `url` (called if it is a function). Rejects with its error, or with `onTimeout()` at the deadline. */
export function importIsolated(url: string, deadlineMs: number, onTimeout: () => Error): Promise<IsolatedExport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SOURCE, { eval: true, workerData: url, stdout: false, stderr: false })
    const timer = setTimeout(() => {
      void worker.terminate()
      reject(onTimeout())
    }, deadlineMs)
    worker.once('message', (reply: Reply) => {
      clearTimeout(timer)
      void worker.terminate()
      if (reply.ok) return resolve({ value: reply.value, called: reply.called })
      reject(Object.assign(new Error(reply.error.message), reply.error))
    })
    worker.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    worker.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`it ended its thread (exit code ${code}) while being loaded`))
    })
  })
}
