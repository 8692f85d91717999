// How the main thread tells a worker running JavaScript without a break (a
// loop) from one whose requests wait (on I/O, a timer), with no message to
// it: the worker's event-loop utilization over a stretch of time, which Node
// reads from the worker's loop, even while that loop is blocked. A worker in
// a synchronous loop is at 1.0; one waiting on I/O, near 0. A spinning worker
// measured > 0.98.
export const STUCK_UTILIZATION = 0.9
