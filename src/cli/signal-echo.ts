// One stop, delivered twice. A wrapper that passes a signal on to its child
// while the same signal also reaches that child through the process group
// (coreutils `timeout`, some process managers and IDE run configurations)
// turns one Ctrl-C into two, a few milliseconds apart at most, and hotcell
// read the second as "stop now": the requests in flight were cut and the
// app's cleanup with them. A person's second Ctrl-C comes far later than this.
export const SIGNAL_ECHO_MS = 100

/** Call at the first stop signal: the function returned says whether a signal now is that one's echo. */
export function echoOfThisSignal(): () => boolean {
  const at = performance.now()
  return () => performance.now() - at < SIGNAL_ECHO_MS
}
