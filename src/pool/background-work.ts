// ctx.waitUntil() keeps work alive after the response (DESIGN.md): a reload
// must not cut it when no request is left on the old code. The workers count
// their pending promises in their progress slots; a retiring generation
// reads them until they reach 0, within the grace its requests get. Polled,
// and only then: a message per waitUntil would cost every app that uses it.
import { formatMs } from '../report/fault-views.js'
import type { Lane } from './lane.js'

const POLL_MS = 20

/** Resolves once no lane has waitUntil work pending, or at `deadline` (performance.now()): with how many promises are pending still. */
export async function backgroundWorkDone(lanes: () => Iterable<Lane>, deadline: number): Promise<number> {
  for (;;) {
    let pending = 0
    for (const lane of lanes()) pending += lane.backgroundWork
    const left = deadline - performance.now()
    if (pending === 0 || left <= 0) return pending
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)))
  }
}

/** The line for waitUntil work a retirement cut: it did not finish within the grace. */
export function backgroundWorkCut(cut: number, generation: number | undefined, graceMs: number, shutdown: boolean): string {
  const what = `${cut} ctx.waitUntil() ${cut === 1 ? 'promise' : 'promises'} of generation ${generation}`
  return `hotcell: ${what} still pending ${formatMs(graceMs)} after ${shutdown ? 'the shutdown began' : 'it was replaced'}; its workers ended`
}
