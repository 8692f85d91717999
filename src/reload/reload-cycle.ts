// Turns file events into builds, one at a time: each trigger goes through the
// scheduler, a build made stale by later saves is built again with them, and
// what the watcher may have missed while it scanned is looked for afterwards.
// The server (dev-server.ts) owns the parts; this is what it does with them
// between a save and the reload line.
import { isAbsolute } from 'node:path'
import type { Builder } from './builder.js'
import type { Logger } from '../report/logger.js'
import { createReloadScheduler, type ReloadScheduler } from './scheduler.js'
import { traceReload } from './trace.js'
import type { Reloader } from './reloader.js'
import { deletedPaths, swappedIn, type ReloadInfo } from './reload-info.js'
import { PendingChange, type Attempt, type WaitParts } from './reload-wait.js'
import { markSaves, unchangedSinceMark } from './unfinished-saves.js'
import type { HeapSettler } from './settle-heap.js'
import type { Sources } from './sources.js'
import { missedAtStart, missedWhileScanning } from './scan-gap.js'
import type { ProjectWatch } from './project-watch.js'
import { WritesDuringBuild } from './writes-during-build.js'
import { isHungImport } from './hung-import.js'
import { SaveHold } from './save-hold.js'
import { IMPORT_RETRY } from './import-retry.js'

/** The reason of the first build. */
const START = 'start'

/** What the cycle works with: the server's parts, and what it asks of the server. */
export interface CycleParts {
  readonly cwd: string
  readonly sources: Sources
  readonly builder: Builder
  readonly reloader: Reloader
  readonly logger: Logger
  readonly heap: HeapSettler | undefined
  closing(): boolean
  projectWatch(): ProjectWatch | undefined
  /** (Re)read the .env files into the next generations' process.env. */
  loadEnv(): void
  /** A reload after the start served, or its error is now served: say so. */
  reloaded(info: ReloadInfo, parts: WaitParts): void
}

export class ReloadCycle {
  readonly #scheduler: ReloadScheduler
  /** The saves not served yet: when the first came, and what their reload waited for (reload-wait.ts). */
  readonly #pending = new PendingChange()
  /** A reload runs (a save now waits for it). */
  #reloading = false
  /** Source files written while a build runs, from the watcher's raw events: a build that read one half-saved is not served. */
  readonly writes = new WritesDuringBuild()
  readonly hold: SaveHold
  #lastInfo: ReloadInfo | undefined
  #startError: unknown
  /** Resolves when the watchers see every edit (at once without --no-reload). */
  #watching: Promise<void> = Promise.resolve()
  /** The watchers' first scan runs: an edit now may have no event. */
  #scanning = false

  constructor(private readonly parts: CycleParts) {
    this.hold = new SaveHold(() => parts.reloader.target)
    this.#scheduler = createReloadScheduler({ run: (reasons, quietMs) => this.#runReload(reasons, quietMs) })
    // Not while a save is being built or waits: its reload imports in fresh workers anyway, and the retry would only delay it.
    parts.reloader.onImportRetry = () => {
      if (!parts.closing() && !this.#reloading && !this.#scheduler.hasPending()) this.trigger(IMPORT_RETRY)
    }
  }

  /** A reload runs (a save now waits for it). */
  get reloading(): boolean {
    return this.#reloading
  }

  /** What the last reload that was not superseded did; undefined until the first build ended. */
  get lastInfo(): ReloadInfo | undefined {
    return this.#lastInfo
  }

  /** The watchers' first scan runs until `watching` resolves: the first build, which does not wait for it, is checked once both are done (#reloadFor). */
  scanning(watching: Promise<void>): void {
    this.#scanning = true
    this.#watching = watching.finally(() => (this.#scanning = false))
    // Rethrown by the first build's wait for it, which may come later.
    this.#watching.catch(() => {})
  }

  /** The first build; rejects if hotcell itself (or the disk) failed it: a failure of the user's code is data in `lastInfo`. */
  async start(): Promise<void> {
    // Through the scheduler, like every build: a save during it gets a follow-up, never a second build beside it.
    this.trigger(START)
    await this.#scheduler.idle()
    if (this.#startError !== undefined) throw this.#startError
  }

  /** Build now (server.reload()); resolves with what that build did. */
  async reload(): Promise<ReloadInfo> {
    this.trigger('reload()')
    await this.#scheduler.idle()
    return this.#lastInfo!
  }

  trigger(reason: string): void {
    if (this.#pending.came(this.#reloading)) traceReload('trigger')
    // A build under way is not served once a newer save came (reloader.ts): stopped now, the
    // follow-up starts without waiting for the rest of it. On a 300-module workspace lib an
    // in-place save's truncate started a 40-80 ms build that its write then threw away.
    // Not the start's: the server has nothing to serve until a build ends.
    if (this.#reloading && this.#lastInfo) this.parts.builder.cancel()
    this.#scheduler.trigger(reason)
    if (this.#lastInfo) this.hold.begin(() => this.#scheduler.idle())
  }

  stop(): void {
    this.#scheduler.stop()
  }

  async #runReload(reasons: string[], quietMs = 0): Promise<void> {
    this.#reloading = true
    try {
      await this.#reloadFor(reasons, this.#pending.begin(quietMs))
    } finally {
      this.#reloading = false
    }
  }

  async #reloadFor(reasons: string[], attempt: Attempt): Promise<void> {
    const { sources, builder, reloader } = this.parts
    // The first build is the start, whatever else its debounce merged in.
    const first = this.#lastInfo === undefined
    // The bundle may be unchanged: the new generation differs by its process.env.
    if (!first && reasons.some((r) => sources.isEnvFile(r))) this.parts.loadEnv()
    // Built before the watcher sees every edit: anything saved from now until it does is looked for afterwards.
    const unwatched = first && this.#scanning
    const readFrom = Date.now()
    // sed -i and a rename over the file are one save with two or three watcher events, the later ones while the build of
    // the first runs: that build is given up, but for no later write, and the reload line does not count it as one.
    const marks = markSaves(first ? [] : reasons.filter(isAbsolute))
    const echo = () => this.#scheduler.hasPending() && unchangedSinceMark(this.#scheduler.pending(), marks)
    let info: ReloadInfo | undefined
    try {
      info = await reloader.reload(first ? [START] : reasons, attempt.startedAt, {
        // A failed build is shown only if no edit can be missing from it. One that
        // ran unwatched is built again once the watcher sees new files (one may
        // fix an unresolved import), and that build's error is the one shown.
        stale: () => this.#scheduler.hasPending() || unwatched,
        rebuild: (again) => {
          // Built again at once (a follow-up), timed from the first trigger.
          this.#pending.again(attempt, echo())
          this.#scheduler.retry(again)
        },
        writes: this.writes,
        // The requests held for this save go now, not after the reload line is written: unless a newer save is coming.
        swapped: () => {
          if (!this.#scheduler.hasPending()) this.hold.end()
        },
        importing: (next) => this.hold.early(next, () => !this.#scheduler.hasPending()),
      })
      if (unwatched) {
        await this.#watching
        if (this.parts.closing()) return
        if (info && !swappedIn(info) && !isHungImport(reloader.target)) {
          this.#pending.again(attempt)
          return this.#reloadFor(reasons, this.#pending.begin(0))
        }
        // A good first build, or one whose import hung (run again, it hangs as long): what the watcher may have missed while it scanned is built again.
        if (info) {
          const missed = await missedAtStart(sources.inputs, readFrom, builder, reloader)
          for (const path of missed) this.trigger(path)
        }
      }
    } catch (error) {
      // Not the user's code (that is data in the info): hotcell itself, or the disk. start() rethrows the first;
      // later ones keep the last good generation serving rather than take the server down.
      if (first) this.#startError = error
      else this.parts.logger.error(`hotcell: the reload failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      return
    }
    if (!info) return
    // Not served, and newer saves are pending (a failed build, or an import given up for them): nothing is said, not even
    // its error (reloader.ts), and its files are built again with theirs. The first files of a rename saved file by file
    // fail to build without the rest; dropped, the line of the build that served the rename left them out.
    const superseded = !first && !swappedIn(info) && this.#scheduler.hasPending()
    if (superseded) {
      this.#pending.again(attempt, echo())
      this.#scheduler.retry(reasons)
    } else {
      sources.created.named(reasons, deletedPaths(reasons, info, this.parts.cwd))
      this.#lastInfo = info
    }
    // The start, like every reload, leaves garbage on the main thread.
    this.parts.heap?.touched()
    // Folders this build added to the watch, once scanned: what changed in them meanwhile is built again. A build
    // running by then may have read before the change too: what the last build depends on is what is checked.
    this.parts
      .projectWatch()
      ?.follow()
      ?.then(async (added) => {
        await this.#scheduler.idle()
        if (!this.parts.closing()) for (const path of missedWhileScanning(sources.lastRead, added, readFrom, sources.created)) this.trigger(path)
      })
    // Changes right after a reload may be its echo (a log of this terminal in a watched folder).
    if (!superseded) this.parts.projectWatch()?.reloaded(reasons)
    // The banner reports the first build.
    if (first || superseded) return
    this.parts.reloaded(info, attempt.parts)
  }
}
