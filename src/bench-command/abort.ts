// bench()'s `signal`: a session stops at once when it aborts. The load
// generators and the check's requests take the signal themselves (they end
// their thread, process or socket); what cannot be told to stop (a server
// starting) is raced, and what it gives once it is done anyway is ended.
import { AbortError } from '../errors.js'

/** Throws the session's AbortError if `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason)
}

/**
 * `work`, or an AbortError as soon as `signal` aborts. `late` gets what
 * `work` gives after that (a server that finished starting: it is closed);
 * a later failure of `work` is nobody's to report.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, late: (value: T) => unknown = () => {}): Promise<T> {
  if (!signal) return work
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(new AbortError(signal.reason))
      work.then(late, () => {})
    }
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
