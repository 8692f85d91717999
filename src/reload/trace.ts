// Reload phases published on a diagnostics channel, for profilers and for
// bench/reload-phases.ts: a subscriber timestamps each message as it arrives
// (publishing is synchronous), so the whole save → new response timeline can
// be split without adding a field to the API. No subscriber, no cost.
import { channel } from 'node:diagnostics_channel'

export const RELOAD_CHANNEL = 'hotcell:reload'

export type ReloadPhase =
  | 'trigger' // the first change a reload covers was seen
  | 'build' // the debounce ended and esbuild started
  | 'built' // esbuild finished (good or bad)
  | 'loaded' // the standby generation imported the new bundle
  | 'swap' // new requests go to the new generation from now on

const reloads = channel(RELOAD_CHANNEL)

export function traceReload(phase: ReloadPhase, gen?: number): void {
  if (reloads.hasSubscribers) reloads.publish({ phase, gen })
}
