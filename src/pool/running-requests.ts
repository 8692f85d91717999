// Every request this process's lanes have in flight, named `METHOD url`: what
// the supervisor hears about the slow ones (cli/slow-requests.ts), so that a
// process killed by a V8 fatal error can be blamed on its request. Read a few
// times a second while supervised, never on a request's path.

export interface RequestHolder {
  /** Add each request in flight, by id. */
  collectRequests(into: Map<number, string>): void
}

const holders = new Set<RequestHolder>()

export function holdsRequests(holder: RequestHolder): void {
  holders.add(holder)
}

export function releasesRequests(holder: RequestHolder): void {
  holders.delete(holder)
}

export function runningRequests(): Map<number, string> {
  const requests = new Map<number, string>()
  for (const holder of holders) holder.collectRequests(requests)
  return requests
}
