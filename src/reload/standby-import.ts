// A new bundle's import into a standby, while the code from before serves.
// It usually takes a few milliseconds. One that takes long is given up for a
// newer save (superseded.ts), is said in the terminal once it has taken a
// second, and is what a shutdown ends first (reloader.ts): it serves nobody.
import type { Config } from '../config/resolve-config.js'
import type { Target } from '../http/dispatch.js'
import type { Generation } from '../pool/generation.js'
import type { LoadWait } from '../pool/protocol.js'
import type { Logger } from '../report/logger.js'
import { startStillImportingLine, stillImportingLine } from '../report/reload-line.js'
import { servedProblem } from '../report/serving-state.js'
import type { ProjectRoots } from '../report/source-files.js'
import type { ReloadInfo } from './reload-info.js'
import { supersededWhile } from './superseded.js'

// When an import still running is said in the terminal. A reload's import
// takes a few ms (the standby has Node, hotcell and the app's packages loaded
// already), and one with a top-level await on a local database or a config
// fetch a few hundred: neither says it. An import that never ends (a loop at
// the top level, memory growing without bound) otherwise meant silence until
// the 10 s import limit, the old code answering 200 meanwhile: the developer
// took the save for missed, and an agent took the old answer for the new.
// A second is about when a save with no reload line starts to look missed.
export const SLOW_IMPORT_MS = 1_000

export interface ImportOptions {
  /** Wait for every worker (the first generation comes up at full size), not only one (later swaps). */
  all: boolean
  /** Old code or an error page serves meanwhile (not the start): a newer save (`stale()`) gives this import up. */
  serving: boolean
  stale: () => boolean
  /** Called once if the load has not ended SLOW_IMPORT_MS from now; `waiting`: its import has, and a worker waits for this (a listen(), Fastify's ready()). */
  onSlow?: (afterMs: number, waiting: LoadWait | undefined) => void
}

// How long a standby waits awake for its bundle once esbuild's result is in
// (bundle-handoff.ts stayAwake()): writing the bundle and the checks before
// the handoff took 0.6-1 ms. Past this, it is woken by the bundle as before.
const AWAKE_MS = 3

/**
 * The standby kept awake for a reload's bundle. An idle thread woken by the
 * bundle's 'load' took 0.2-0.55 ms to run it on this 2-core VM, with the
 * reload waiting, and its import then took 1.8 ms where one awake took 1.4
 * (p50 of 58 saves each, bench/reload-phases.ts). So the standby is woken as
 * esbuild's result comes in, while the main thread writes the bundle and
 * looks at the build (stale? the same bundle?). Not from the build's start:
 * a thread spinning then took a core from esbuild, whose build took twice
 * as long. A reload that does not hand it the bundle (a build made stale by
 * the other files of a save) sends it back to sleep at once: spinning on, it
 * took CPU from the process still writing those files.
 */
export class AwakeStandby {
  #standby: Generation | undefined

  /**
   * esbuild's result is in: the first of `standbys` is the one the bundle
   * goes to. Not while another one boots (edits less than a second apart
   * keep two, standbys.ts): its 60-100 ms of CPU takes the spare core, and a
   * spinning thread then took the main thread's (reloads 150 ms apart: p50
   * 0.4-1.7 ms slower than without, in 3 of 3 runs).
   */
  wake(standbys: readonly Generation[]): void {
    const standby = standbys[0]
    if (!standby?.isBooted || standby.bootError || standbys.some((g) => !g.isBooted)) return
    standby.stayAwake(AWAKE_MS)
    this.#standby = standby
  }

  /** The bundle goes to `next`: its 'load' ends the wait. */
  handed(next: Generation): void {
    if (this.#standby === next) this.#standby = undefined
  }

  /** The reload is over: a standby still waiting for a bundle that is not coming goes back to sleep. */
  ended(): void {
    this.#standby?.stayAwake(0)
    this.#standby = undefined
  }
}

/** Hand `url` to `next` and wait for its import (generation.ts load()). Resolves to true if a newer save gave it up. */
export async function importInto(next: Generation, url: string, { all, serving, stale, onSlow }: ImportOptions): Promise<boolean> {
  const loaded = next.load(url, { all })
  const slow = onSlow && setTimeout(() => onSlow(SLOW_IMPORT_MS, next.waitingFor), SLOW_IMPORT_MS)
  try {
    // A slow import (a top-level await, an entry waiting for its listen())
    // is not waited for once a newer save is pending: that one is built now.
    return serving ? await supersededWhile(loaded, stale) : await loaded.then(() => false)
  } finally {
    clearTimeout(slow)
  }
}

/** What `onSlow` prints: the reload's change and build, and what answers meanwhile; at the start, that the entry is still importing. */
export function slowImportLine(
  logger: Pick<Logger, 'info'>,
  shown: Target | Promise<Target>,
  current: Generation | undefined,
  config: Pick<Config, 'entryLabel' | 'reload'>,
  roots: ProjectRoots,
  info: () => ReloadInfo,
): ImportOptions['onSlow'] {
  // The start: nothing serves yet, and a top-level await on a database that does not answer was 10 s of silence.
  if (shown instanceof Promise) return (afterMs, waiting) => logger.info(startStillImportingLine(config.entryLabel, afterMs, waiting))
  return (afterMs, waiting) => logger.info(stillImportingLine(info(), afterMs, servingMeanwhile(current, shown, config, roots), waiting))
}

/** What answers while the import runs: the error page on show, or the generation serving. */
function servingMeanwhile(current: Generation | undefined, shown: Target, config: Pick<Config, 'entryLabel' | 'reload'>, roots: ProjectRoots): string {
  const problem = servedProblem(shown, config.entryLabel, roots, config.reload)
  if (problem || !current) return `${problem?.page ?? 'the error page'} stays up meanwhile`
  return `generation ${current.number} keeps serving the code from before`
}
