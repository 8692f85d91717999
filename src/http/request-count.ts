// Requests this process has begun to dispatch. Their numbers tie a request's
// log lines together; the count says how busy the server is (settle-heap.ts).
let count = 0

/** The next request's number, from 1. */
export function nextRequestId(): number {
  return ++count
}

export function requestsBegun(): number {
  return count
}
