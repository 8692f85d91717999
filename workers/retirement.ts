// What a worker does when its generation retires, once its requests are done
// (src/pool/retirement.ts asks): what a Node process does when it is told to
// stop. Node delivers no signal to a worker thread, and hotcell ends its
// workers with terminate(), which runs nothing of the app: without this, an
// app's SIGTERM and 'exit' listeners never ran, and every reload left the
// child processes of the old code running (a database, a queue worker).
//
// 1. The app's SIGTERM listeners run, as `kill <pid>` would run them: up to
//    the bound for a promise one returns, a moment otherwise (callback-style
//    cleanup such as server.close(cb)). One that calls process.exit() ends
//    the wait.
// 2. Its 'exit' listeners run, as process.exit() runs them.
// 3. The child processes it started and did not end get SIGTERM, and are
//    waited for (this thread reaps them; once it has ended, nobody would).
// The thread then tells the main thread, which ends it. process.exit() from
// here on runs the 'exit' listeners and then parks the thread instead of
// ending it: piscina replaces a worker that ends while its pool is not being
// destroyed, and the replacement would import the old bundle again.
import { reportLate } from './late-errors.js'
import { endChildren, signalChildren } from './spawned-children.js'

/** How long listeners that return nothing get before step 2: a few turns of the event loop (server.close(cb), a local socket's end). */
const CALLBACK_MS = 100

let retiring = false

/** Run the app's cleanup within `ms`, then call `done` (once). */
export function retire(ms: number, done: () => void): void {
  if (retiring) return
  retiring = true
  const until = performance.now() + ms
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    done()
  }
  const exiting = process as unknown as { reallyExit(code?: number): void; _exiting?: boolean }
  exiting.reallyExit = () => {
    signalChildren()
    finish()
    park()
  }
  void (async () => {
    await sigterm(until)
    if (!exiting._exiting) {
      // What process.exit() does before it ends the thread; a listener calling process.exit() parks here.
      exiting._exiting = true
      try {
        process.emit('exit', Number(process.exitCode ?? 0))
      } catch (error) {
        reportLate('uncaughtException', error)
      }
    }
    await endChildren(until)
    finish()
  })()
}

/** Call the SIGTERM listeners; resolves once the promises they return have settled (others: CALLBACK_MS), or at `until`. */
async function sigterm(until: number): Promise<void> {
  const listeners = process.listeners('SIGTERM')
  if (listeners.length === 0) return
  const pending: Promise<unknown>[] = []
  for (const listener of listeners) {
    try {
      const result: unknown = (listener as (signal: string) => unknown).call(process, 'SIGTERM')
      pending.push(result instanceof Promise ? result.catch((error: unknown) => reportLate('unhandledRejection', error)) : delay(CALLBACK_MS))
    } catch (error) {
      reportLate('uncaughtException', error)
    }
  }
  await Promise.race([Promise.all(pending), delay(until - performance.now())])
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref())
}

/** Block this thread for good: the main thread terminates it (terminate() interrupts Atomics.wait). */
function park(): never {
  const cell = new Int32Array(new SharedArrayBuffer(4))
  for (;;) Atomics.wait(cell, 0, 0)
}
