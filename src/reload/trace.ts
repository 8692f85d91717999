// Start and reload phases published on diagnostics channels, for profilers
// and for bench/startup.ts and bench/reload-phases.ts: a subscriber
// timestamps each message as it arrives (publishing is synchronous), so the
// whole timeline can be split without adding a field to the API. No
// subscriber, no cost.
import { channel } from 'node:diagnostics_channel'

export const RELOAD_CHANNEL = 'hotcell:reload'
export const START_CHANNEL = 'hotcell:start'

export type ReloadPhase =
  | 'trigger' // the first change a reload covers was seen
  | 'build' // the debounce ended and esbuild started
  | 'built' // esbuild finished (good or bad)
  | 'canceled' // the build was stopped for a newer save (it then ends as 'built', not served)
  | 'loaded' // the standby generation imported the new bundle
  | 'swap' // new requests go to the new generation from now on
  | 'standby' // a standby generation has booted: the next bundle is loaded at once
  | 'settle' // the idle heap collection after the start or reloads begins (settle-heap.ts)
  | 'settled' // ...and has run

export type StartPhase =
  | 'supervisor' // the supervisor forks the server process
  | 'cli' // the command line's code is loaded
  | 'config' // options resolved
  | 'listening' // the socket is bound
  | 'workers' // the first generation's threads are spawned
  | 'esbuild' // esbuild's service runs, with the build context
  | 'built' // the first build is written
  | 'booted' // a worker of the generation is up and warm, waiting for its bundle
  | 'ready' // a worker of the generation imported its bundle
  | 'serving' // requests go to the first generation from now on
  | 'watching' // the watcher has scanned its folders

const reloads = channel(RELOAD_CHANNEL)
const starts = channel(START_CHANNEL)

export function traceReload(phase: ReloadPhase, gen?: number): void {
  if (reloads.hasSubscribers) reloads.publish({ phase, gen })
}

export function traceStart(phase: StartPhase): void {
  if (starts.hasSubscribers) starts.publish({ phase })
}
