// What a worker's messages do to its generation (generation.ts): its boot, its
// request lane, the bundle's import, its upgraded connections, its off-heap
// memory; and what passes on to whoever made the generation (the callbacks of
// GenerationOptions).
import type { BundleHandoff } from './bundle-handoff.js'
import type { Generation } from './generation.js'
import type { GenerationOptions } from './generation-options.js'
import type { MemoryReport, UncaughtContext, UncaughtReport, WorkerMessage } from './protocol.js'
import type { RequestQueue } from './request-queue.js'
import type { WorkerTracker } from './worker-tracker.js'
import { traceStart } from '../reload/trace.js'
import { overMemoryReason, overMemoryWhose } from './memory-watch.js'
import { recordStray, runningOn } from './stray-errors.js'

/** The parts of a generation its workers' messages reach, private to generation.ts otherwise. */
export interface MessageParts {
  readonly handoff: BundleHandoff
  readonly tracker: WorkerTracker
  readonly queue: RequestQueue
  /** Resolves the generation's `booted`. */
  markBooted(): void
  /** A lane's requests are done with their worker (generation.ts). */
  readonly settled: () => void
  destroyed(): boolean
}

export function onWorkerMessage(generation: Generation, parts: MessageParts, message: WorkerMessage, options: GenerationOptions): void {
  switch (message.type) {
    case 'hotcell:hello':
      if (generation.gen === 1) traceStart('booted')
      generation.isBooted = true
      parts.markBooted()
      parts.handoff.booted(message.threadId)
      break
    case 'hotcell:lane':
      parts.tracker.addLane(message.threadId, message.port, message.progress, message.exitNote, parts.settled)
      parts.queue.dispatch()
      break
    case 'hotcell:ready':
      if (generation.gen === 1) traceStart('ready')
      if (message.error && !generation.loadError) {
        generation.loadError = message.error
        generation.loadPhase = message.phase
      }
      if (!message.error) generation.importedBy++
      if (message.node) generation.nodeStyle = true
      parts.handoff.ready(message.threadId)
      break
    case 'hotcell:waiting':
      generation.waitingFor = message.waiting
      parts.handoff.waiting(message.waiting, message.limitMs)
      break
    case 'hotcell:uncaught':
      options.onUncaught?.(message, uncaughtContext(generation, parts, message))
      break
    case 'hotcell:fetch-api':
      options.onFetchApi?.()
      break
    case 'hotcell:listen-captured':
      options.onListenCaptured?.({
        requested: message.requested,
        role: message.role,
        servedBy: message.servedBy,
        gen: generation.gen,
        ...(message.lateMs === undefined ? {} : { lateMs: message.lateMs }),
      })
      break
    case 'hotcell:exported-address':
      options.onExportedAddress?.(message.address)
      break
    case 'hotcell:files-read':
      options.onFilesRead?.(message)
      break
    case 'hotcell:socket-host':
      generation.sockets.addHost(message.threadId, message.port)
      break
    case 'hotcell:memory':
      overMemory(generation, parts, message, options)
      break
  }
}

/** A worker holds more than --max-memory off-heap (memory-watch.ts): replaced, as one over its heap limit is. */
function overMemory(generation: Generation, parts: MessageParts, report: MemoryReport, options: GenerationOptions): void {
  const lane = parts.tracker.lane(report.threadId)
  if (!options.maxMemoryMb || parts.destroyed() || !lane || parts.tracker.isTerminating(report.threadId)) return
  const running = lane.lastStarted()
  generation.terminate(report.threadId, overMemoryReason(report, options.maxMemoryMb, running?.label), running?.id, true)
  // The requests it had begun get a 502 that says it, and their reports print it; with none, only this line does.
  if (lane.load - lane.waiting === 0) options.onMemoryOver?.(overMemoryReason(report, options.maxMemoryMb, undefined), overMemoryWhose(report))
}

/** What the main thread knows around an error no request carries: whether its worker was importing, which requests it was running. */
function uncaughtContext(generation: Generation, parts: MessageParts, report: UncaughtReport): UncaughtContext | undefined {
  if (report.request || report.kind === 'waitUntil' || report.kind === 'afterResponse') return undefined
  // A request waiting on what threw (a query whose reply the callback could not parse) never settles: its 504 names this error.
  recordStray(generation, report.threadId, report.error)
  // Not ready and not waiting for a listen(): its import still runs.
  return { importing: !parts.handoff.isReady(report.threadId) && !generation.waitingFor, running: runningOn(generation, report.threadId) }
}
