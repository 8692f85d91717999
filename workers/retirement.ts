// What a worker does when its generation retires, once its requests are done
// (src/pool/retirement.ts asks): what a Node process does when it is told to
// stop. Node delivers no signal to a worker thread, and hotcell ends its
// workers with terminate(), which runs nothing of the app: without this, an
// app's signal and 'exit' listeners never ran, and every reload left the
// child processes of the old code running (a database, a queue worker).
//
// 1. The app's listeners of the stop signal run, as `kill -<signal> <pid>`
//    would run them: up to the bound for a promise one returns, a moment
//    otherwise (callback-style cleanup such as server.close(cb)). One that
//    calls process.exit() ends the wait. The signal is SIGTERM for a reload
//    (what node --watch and tsx watch send their child on a restart), and at
//    shutdown the one hotcell got: SIGINT for a Ctrl-C, as a terminal sends
//    it to an app run by node. An app with no listener of that signal gets
//    those of the other one: a `process.on('SIGINT', …)` is most apps'
//    whole cleanup, written for Ctrl-C, and it is what they have for
//    "stop" (docs/reloading.md#cleanup).
// 2. Its 'exit' listeners run, as process.exit() runs them.
// 3. The child processes it started and did not end get SIGTERM, and are
//    waited for (this thread reaps them; once it has ended, nobody would).
// The thread then tells the main thread what the bound cut, and the main
// thread ends it. process.exit() from here on runs the 'exit' listeners and
// then parks the thread instead of ending it: piscina replaces a worker that
// ends while its pool is not being destroyed, and the replacement would
// import the old bundle again.
import type { CleanupCut, StopSignal } from '../src/pool/protocol.js'
import { reportLate } from './late-errors.js'
import { endChildren, signalChildren } from './spawned-children.js'

/** How long listeners that return nothing get before step 2: a few turns of the event loop (server.close(cb), a local socket's end). */
const CALLBACK_MS = 100

let retiring = false

/** Run the app's cleanup for `signal` within `ms`, then call `done` (once) with what the bound cut. */
export function retire(ms: number, signal: StopSignal, done: (cut: CleanupCut) => void): void {
  if (retiring) return
  retiring = true
  const until = performance.now() + ms
  const cut: CleanupCut = {}
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    done(cut)
  }
  const exiting = process as unknown as { reallyExit(code?: number): void; _exiting?: boolean }
  exiting.reallyExit = () => {
    signalChildren()
    finish()
    park()
  }
  void (async () => {
    const unfinished = await stopListeners(signal, until)
    if (unfinished) cut.unfinished = unfinished
    if (!exiting._exiting) {
      // What process.exit() does before it ends the thread; a listener calling process.exit() parks here.
      exiting._exiting = true
      try {
        process.emit('exit', Number(process.exitCode ?? 0))
      } catch (error) {
        reportLate('uncaughtException', error)
      }
    }
    const children = await endChildren(until)
    if (children.length > 0) cut.children = children
    finish()
  })()
}

/**
 * Call the listeners of `signal`, or of the other stop signal when the app has
 * none of it. Resolves once the promises they return have settled (others:
 * CALLBACK_MS), or at `until`: then to the signal whose listeners had not finished.
 */
async function stopListeners(signal: StopSignal, until: number): Promise<StopSignal | undefined> {
  const other = signal === 'SIGINT' ? 'SIGTERM' : 'SIGINT'
  const called = process.listenerCount(signal) > 0 ? signal : other
  const listeners = process.listeners(called)
  if (listeners.length === 0) return undefined
  const pending: Promise<unknown>[] = []
  for (const listener of listeners) {
    try {
      const result: unknown = (listener as (signal: string) => unknown).call(process, called)
      pending.push(result instanceof Promise ? result.catch((error: unknown) => reportLate('unhandledRejection', error)) : delay(CALLBACK_MS))
    } catch (error) {
      reportLate('uncaughtException', error)
    }
  }
  const settled = Promise.all(pending).then(() => true)
  return (await Promise.race([settled, delay(until - performance.now()).then(() => false)])) ? undefined : called
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref())
}

/** Block this thread for good: the main thread terminates it (terminate() interrupts Atomics.wait). */
function park(): never {
  const cell = new Int32Array(new SharedArrayBuffer(4))
  for (;;) Atomics.wait(cell, 0, 0)
}
