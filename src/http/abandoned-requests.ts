// Requests whose client left before their response ended, when `hotcell bench`
// asks: a load generator stops with its requests in flight and closes their
// connections, and one that had waited long by then was stuck, not just cut
// off by the end of the run (bench-command/unfinished.ts). Off for a dev
// server: its clients come and go, and nobody reads this.
let watching = false
let arrivals: number[] = []

/** From now on, note the arrival time (Date.now(), comparable across processes) of each request its client left unanswered. */
export function watchAbandoned(): void {
  watching = true
}

export function abandonedWatched(): boolean {
  return watching
}

export function noteAbandoned(arrivedAt: number): void {
  arrivals.push(arrivedAt)
}

/** The arrival times noted since the last call. */
export function takeAbandoned(): number[] {
  const taken = arrivals
  arrivals = []
  return taken
}
