import { sep } from 'node:path'
import type { Builder } from './builder.js'
import type { Config } from '../config/resolve-config.js'
import type { Target } from '../http/dispatch.js'
import type { Generation } from '../pool/generation.js'
import type { Logger } from '../report/logger.js'
import type { ExportedAddress, FilesRead, ListenNote, WorkerData } from '../pool/protocol.js'
import type { Sources } from './sources.js'
import { reportLoadError } from './load-error-report.js'
import { Standbys } from './standbys.js'
import { AwakeStandby, importInto, slowImportLine } from './standby-import.js'
import { traceReload } from './trace.js'
import { goneSinceMark, markSaves, savedSince, unfinishedSaves } from './unfinished-saves.js'
import { heldUntilNextEvent } from './failed-build-hold.js'
import { BundlePruner } from './bundle-pruner.js'
import { hungImport } from './hung-import.js'
import type { WritesDuringBuild } from './writes-during-build.js'
import { changeOf, type ReloadError, type ReloadInfo } from './reload-info.js'
import { buildFailure, loadFailure } from './reload-error.js'
import { GenerationMaker } from './generation-maker.js'
import { buildFailureTarget } from '../report/serving-state.js'
import { AFTER_SWAP_MS, Retirements } from './retirements.js'
import { nextGeneration } from './next-generation.js'
import { IMPORT_RETRY, onlyRetry, retryWhenEnded, sameLoadError } from './import-retry.js'

/** What a reload asks of the one who started it (dev-server.ts). */
export interface ReloadHooks {
  /** Triggers arrived that this reload does not cover. */
  stale(): boolean
  /** Build these reasons again, at once, instead of this reload. */
  rebuild(reasons: string[]): void
  /** Source files written while the build ran (absent without a watcher). */
  writes?: WritesDuringBuild
  /** Requests go to the new generation from now on: called at the swap, before the reload's own bookkeeping. */
  swapped?(): void
  /** The new bundle was handed to `next`, which may take requests before its import ends (save-hold.ts). */
  importing?(next: Generation): void
}

/**
 * Owns the generations and where requests go: the one serving, a pre-booted
 * standby waiting for the next bundle (Node, hotcell's runtime and the app's
 * packages loaded, so a reload only imports the bundle), and the retiring
 * ones still finishing their requests. The first generation is booted the
 * same way, while the first build runs.
 */
export class Reloader {
  /** Where requests go; a promise until the first build has served (or failed). */
  target: Target | Promise<Target>
  /** The entry called listen() itself and a worker captured it (told once, by the listener). */
  onListenCaptured: ((note: ListenNote) => void) | undefined
  /** The entry's default export names a port or hostname (told once per value, by the listener). */
  onExportedAddress: ((address: ExportedAddress) => void) | undefined
  /** A worker read or wrote project files (runtime-reads.ts). */
  onFilesRead: ((report: FilesRead) => void) | undefined
  /** A worker of `generation` ignored terminate() (pool/unstoppable-worker.ts). */
  onUnstoppable: ((generation: string, threadId: number) => void) | undefined
  /** An import that failed beside older generations may work now that they have ended: retry it (import-retry.ts). */
  onImportRetry: (() => void) | undefined
  #current: Generation | undefined
  /** The standby importing a new bundle, while it does. */
  #loading: Generation | undefined
  /** Makes the generations, and knows which are live (generation-maker.ts). */
  readonly #maker: GenerationMaker
  readonly #standbys = new Standbys(() => this.#maker.make())
  /** The generations replaced, finishing their requests (retirements.ts). */
  readonly #retirements: Retirements
  /** Generations that have served: the last one's number. */
  #served = 0
  #closed = false
  /** Deletes the bundles of ended generations, never beside a reload. */
  readonly #pruner = new BundlePruner(
    (inUse) => this.builder.prune(inUse),
    () => this.#maker.bundles(),
  )
  #resolveFirst!: (target: Target) => void
  readonly #awake = new AwakeStandby()

  constructor(
    private readonly config: Config,
    private readonly builder: Builder,
    private readonly sources: Sources,
    private readonly logger: Logger,
    graceMs: number,
  ) {
    // Requests that arrive before the first build wait for it.
    this.target = new Promise<Target>((resolve) => (this.#resolveFirst = resolve))
    this.#retirements = new Retirements(graceMs, builder.roots, logger)
    this.#maker = new GenerationMaker(config, logger, builder.roots, {
      current: () => this.#current,
      served: () => this.#served > 0,
      standbys: () => this.#standbys.all,
      onListenCaptured: (note) => this.onListenCaptured?.(note),
      onExportedAddress: (address) => this.onExportedAddress?.(address),
      onFilesRead: (report) => this.onFilesRead?.(report),
      onUnstoppable: (generation, threadId) => this.onUnstoppable?.(generation, threadId),
      bundleEnded: () => this.#pruner.ended(),
    })
    if (config.reload) this.#maker.readsIn = sources.project
  }

  /**
   * The workers' process.env from now on. A standby booted with another one
   * goes (when .env files changed); the first call boots the first generation.
   */
  setEnv(env: Record<string, string>): void {
    const changed = this.#maker.env !== undefined
    this.#maker.env = env
    if (changed) void this.#standbys.drop()
    this.#standbys.topUp()
  }

  /** Where the server listens, once it does: what the entry's own listen() reports. */
  set serverAddress(address: WorkerData['serverAddress']) {
    this.#maker.serverAddress = address
    // The first generation boots before the socket is bound.
    for (const standby of this.#standbys.all) standby.serverAddress = address
  }

  /**
   * Build, bring up a generation for it, and make it the target. Resolves to
   * undefined when the build is superseded: a changed file was written again
   * after esbuild read it (a save truncates the file, then writes it: the
   * event of the truncation can start a build that reads an empty file), or
   * a file was saved since the build began. The old generation keeps serving;
   * `hooks.rebuild` gets the reasons to build again.
   */
  async reload(reasons: string[], startedAt: number, hooks: ReloadHooks): Promise<ReloadInfo | undefined> {
    try {
      await this.#pruner.reloadStarts()
      return await this.#reload(reasons, startedAt, hooks)
    } finally {
      hooks.writes?.stop()
      this.#awake.ended()
      // After the swap's first answer, usually: pruning is I/O on the main thread.
      this.#pruner.reloadEnded(AFTER_SWAP_MS)
    }
  }

  async #reload(reasons: string[], startedAt: number, { stale, rebuild, writes, swapped, importing }: ReloadHooks): Promise<ReloadInfo | undefined> {
    const builtFrom = performance.now()
    const waitMs = builtFrom - startedAt
    traceReload('build')
    writes?.begin()
    const marks = markSaves(reasons.filter((r) => r.startsWith(sep)))
    // The standby its bundle goes to wakes as esbuild's result comes in (standby-import.ts).
    const build = await this.builder.build(() => this.#current && this.#awake.wake(this.#standbys.all))
    traceReload('built')
    this.sources.update(build)
    const { cwd } = this.config
    const outcome = (ok: boolean, gen: number | undefined, loadMs: number, error?: ReloadError): ReloadInfo => {
      const timing = { waitMs, buildMs: build.ms, loadMs, totalMs: performance.now() - startedAt }
      return { ok, gen, ...changeOf(reasons, goneSinceMark(marks), this.sources.created.among(reasons), cwd), ...timing, ...(error && { error }) }
    }
    // Stopped for a newer save (reload-cycle.ts): built again with it.
    if (!build.ok && build.canceled) {
      traceReload('canceled')
      rebuild(reasons)
      return undefined
    }
    if (!build.ok) {
      const info = outcome(false, this.#current?.number, 0, buildFailure(build.error, this.builder.roots))
      // More edits already arrived: this error may be a half-saved state.
      if (stale()) return info
      // A save caught between truncate and write (a package.json, say): built again, not shown.
      const saved = await savedSince(marks)
      if (saved.length) {
        rebuild([...new Set([...reasons, ...saved])])
        return undefined
      }
      // ...or edits that came during that look (up to 50 ms).
      if (stale()) return info
      // A failure in the middle of a burst (a git checkout, a rename saved file by file): the burst's next event builds again.
      if (writes && (await heldUntilNextEvent(build, writes.lastEvents, stale, builtFrom, reasons))) {
        rebuild(reasons)
        return undefined
      }
      // The error on show already (a save that changed something else, or a save's second event): one line says so.
      const shown = this.target instanceof Promise ? undefined : this.target
      if (shown?.kind === 'failure' && shown.view.text === build.text) info.sameError = true
      else this.logger.error(`\n${(this.logger.color ? build.ansi : build.text).trimEnd()}\n`)
      this.#setTarget(buildFailureTarget(build, this.config))
      if (this.#current) void this.#retirements.retire(this.#current, 'broken')
      this.#current = undefined
      return info
    }
    // The saves that started it, and any input written lately: a file truncated
    // before the build began and written again after it ended is not among the
    // reasons while chokidar's event for it is still on its way.
    const lately = writes?.recentInputs(build.inputBytes) ?? []
    const rewritten = await unfinishedSaves([...new Set([...reasons, ...lately])], build.inputBytes)
    if (rewritten.length) {
      rebuild([...new Set([...reasons, ...rewritten])])
      return undefined
    }
    // Saved again since esbuild began (the other files of a multi-file save,
    // a save right after): this bundle may hold half of a change. The
    // follow-up, built as this returns, serves; the old code serves meanwhile.
    if (this.#current && (stale() || (await writes?.end((path) => this.sources.rebuilds('change', path))))) {
      rebuild(reasons)
      return undefined
    }
    // The same bundle as the one serving (its name is its content's hash): a
    // file added or deleted beside the sources, a save that changed nothing.
    // An app that writes a JSON file per request into its own folder
    // otherwise lost its state at each write. Fresh workers still come for
    // what the bundle does not show: env files, packages, `r`.
    // After `npm install`, a linked package's edit or `r`, a standby's preloaded packages may be
    // stale (an older version, a failed import): a fresh generation then (docs/reloading.md).
    // A retried import gets fresh workers too: a standby booted beside the old generation may have preloaded a package that failed.
    const standbysStale = reasons.some((r) => r === 'reload()' || r === IMPORT_RETRY || this.sources.outdatesWorkers(r))
    const current = this.#current
    if (current?.bundleUrl === build.url && !current.loadError && !standbysStale && !reasons.some((r) => this.sources.isEnvFile(r))) return undefined
    if (build.warnings) this.logger.warn(build.warnings.trimEnd())
    this.#maker.preloadUrl = build.preloadUrl

    const loadStarted = performance.now()
    if (standbysStale) await this.#standbys.drop()
    const next = await nextGeneration({
      standbys: this.#standbys,
      maker: this.#maker,
      logger: this.logger,
      current: () => this.#current,
      stale,
      closed: () => this.#closed,
      rebuild: () => rebuild(reasons),
    })
    if (!next) return undefined
    // A shutdown meanwhile ends it at once (close()); a slow one is said; past the start, a newer save gives it up.
    this.#loading = next
    this.#awake.handed(next)
    const onSlow = slowImportLine(this.logger, this.target, current, this.config, this.builder.roots, () => outcome(true, undefined, 0))
    const serving = !(this.target instanceof Promise)
    const imported = importInto(next, build.url, { all: !current && next.gen === 1, serving, stale, onSlow })
    if (serving && current) importing?.(next)
    const superseded = await imported
    this.#loading = undefined
    const loadMs = performance.now() - loadStarted
    traceReload('loaded', next.gen)
    if (this.#closed) {
      await next.destroy()
      return outcome(false, undefined, loadMs)
    }
    // More edits already arrived: an import that failed may be of a half-saved state. The old code keeps serving.
    if (superseded || (next.loadError && stale() && this.#current)) {
      // Requests it took early (save-hold.ts): those it has not begun are served by what serves next
      // (NotBegunError); those it has, once its import ended, finish before it ends.
      next.takeBack()
      void (next.inflight > 0 ? this.#retirements.retire(next, 'reload') : next.destroy(undefined, undefined, true))
      return outcome(false, this.#current?.number, loadMs)
    }
    if (next.loadError?.name === 'ImportTimeoutError') {
      const { target, report } = await hungImport(next, this.builder.roots, this.config)
      this.logger.error(`\n${report}\n`)
      this.#setTarget(target)
      if (this.#current) void this.#retirements.retire(this.#current, 'broken')
      this.#current = undefined
      return outcome(false, undefined, loadMs, loadFailure(target.view.error!, this.builder.roots))
    }
    if (next.loadError) reportLoadError(this.logger, this.config.entryLabel, this.builder.roots, next, this.#current)
    const old = this.#current
    const retried = onlyRetry(reasons)
    // Imported beside older generations: the one it replaces, those still retiring.
    const olders = [old, ...this.#retirements.all].filter((g): g is Generation => g !== undefined)
    // A listen() on a fixed port one of them held is tried again until then (workers/port-retry.ts).
    void Promise.all(olders.map((g) => g.ended)).then(() => next.olderEnded())
    // An import that failed: once they have ended, once more.
    if (next.loadError && !retried && loadFailure(next.loadError, this.builder.roots).stage === 'import')
      retryWhenEnded(
        olders,
        () => !this.#closed && this.#current === next,
        () => this.onImportRetry?.(),
      )
    // Numbered as it starts serving: standbys booted and dropped unused (an env
    // change, the second standby after a burst) would otherwise leave gaps.
    next.number = ++this.#served
    this.#current = next
    this.#setTarget({ kind: 'generation', generation: next })
    traceReload('swap', next.gen)
    swapped?.()
    this.#standbys.swapped()
    // Its workers serve the error page: not ok, though it took over (swappedIn).
    const info = outcome(!next.loadError, next.number, loadMs, next.loadError && loadFailure(next.loadError, this.builder.roots))
    // A retry that failed the same way: the error and its line were printed already.
    if (retried && next.loadError && sameLoadError(next.loadError, old?.loadError)) info.sameError = true
    this.#retirements.afterSwapOf(next, old, () => {
      if (!this.#closed && this.config.reload) this.#standbys.topUp()
    })
    return info
  }

  async close(): Promise<void> {
    this.#closed = true
    // An import still running serves nobody: one that never ends held the shutdown until the 10 s import limit.
    const ending = [...this.#retirements.all, this.#loading].map((g) => g?.destroy())
    await Promise.all([this.#current && this.#retirements.retire(this.#current, 'shutdown'), this.#pruner.close(), this.#standbys.close(), ...ending])
  }

  #setTarget(target: Target): void {
    this.target = target
    this.#resolveFirst(target)
  }
}
