// What an entry without a handler is told when hotcell stopped waiting for its
// listen() (listen-wait.ts): the 500's words, by what was seen under way, and
// a line for a listen() that comes after the 500, which serves nothing.
import { IMPORT_LIMIT_MS, type WorkerMessage } from '../src/pool/protocol.js'
import { afterListen } from './listen-capture.js'
const { createRequire } = process.getBuiltinModule('node:module')
const { parentPort } = process.getBuiltinModule('node:worker_threads')

/**
 * The 500 of an entry that was waited for (it had work under way) and did not listen() in time. `timersOnly`: no
 * socket, DNS lookup or file read was seen under way, only timers, which is what a forgotten `export default` beside
 * a setInterval leaves: that way out comes first. serving-state.ts reads "the likelier cause" for the footer.
 */
export function listenTooLate(entry: string, timersOnly: boolean): string {
  const head = `${entry} exports no handler, and no server of its called listen() within ${IMPORT_LIMIT_MS / 1000} s of the start of its import, the time hotcell gives an entry to start serving.`
  const exportIt =
    'export default app (Express, Koa, a Fastify instance): hotcell serves the app without waiting for listen(), and your code connects meanwhile'
  const awaitIt =
    'await it at the top level, before listen(): await connectDb(); app.listen(3000). A connect that fails then throws while the entry imports, and hotcell shows where'
  if (timersOnly)
    return [
      head,
      'All it had under way after its import was timers (no connection, DNS lookup or file read was seen), so a forgotten `export default app` is the likelier cause; a connect retried on a timer, or a Fastify plugin that never finishes loading, looks the same. To fix it, one of:',
      `  - ${exportIt};`,
      '  - if its listen() waits for a service, make sure that service answers, then save (or reload);',
      `  - ${awaitIt}.`,
    ].join('\n')
  return [
    head,
    "Its import ended with work still under way (a timer, a connection, a file read), and what its listen() waits for did not come: a database or a service that does not answer, or a Fastify plugin that never finishes loading (Fastify's listen() binds once its plugins are ready). To fix it, one of:",
    '  - make sure that service answers, then save (or reload);',
    `  - ${awaitIt};`,
    `  - ${exportIt}.`,
  ].join('\n')
}

/** An entry waited for while it had work under way, which ended without a listen(). */
export function workEnded(ms: number): string {
  return `Its import ended with work under way (a timer, a connection), which hotcell waited for, but that work ended ${(ms / 1000).toFixed(1)} s after the import without a listen() call: a connect that failed, for instance (see its error above, if it logged one).`
}

/**
 * The worker serves the 500 from now on: a listen() that comes later (the app's own "listening" line printed) is
 * not served, and the terminal says so once (listen-notice.ts), with how long after the import's start it came.
 */
export function tellLateListen(importStarted: number): void {
  afterListen((listen) => {
    const message: WorkerMessage = {
      type: 'hotcell:listen-captured',
      requested: listen.requested,
      role: 'late',
      servedBy: 'the error page',
      lateMs: performance.now() - importStarted,
    }
    parentPort?.postMessage(message)
  })
}

/**
 * Whether the app loaded Fastify (a CommonJS package: imported, it is in require's cache), for the terminal's
 * still-waiting line to name its plugins only for a Fastify app. Looked up once per load that waits.
 */
export function loadedFastify(): boolean {
  return Object.keys(createRequire(import.meta.url).cache).some((path) => FASTIFY_MAIN.test(path))
}
const FASTIFY_MAIN = /[\\/]node_modules[\\/]fastify[\\/]fastify\.js$/
