import { dirname, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Builder, BuildSuccess } from './builder.js'
import type { Config } from '../config/resolve-config.js'
import type { Target } from '../http/dispatch.js'
import { renderText } from '../report/error-page.js'
import { crashReporting } from '../report/crash-reporting.js'
import { Generation } from '../pool/generation.js'
import type { Logger } from '../report/logger.js'
import type { WorkerData } from '../pool/protocol.js'
import { traceReload } from './trace.js'

/** What one reload did; emitted as the server's 'reload' event. */
export interface ReloadInfo {
  ok: boolean
  /** The generation serving now (the new one, when ok). */
  gen: number | undefined
  /** What triggered it: changed files relative to cwd, or "reload()". */
  changed: string[]
  /** From the first trigger to the start of the build: the debounce. */
  waitMs: number
  buildMs: number
  /** The standby importing the new bundle until every worker reported ready. */
  loadMs: number
  /** From the first trigger to the new generation taking requests. */
  totalMs: number
}

// After a swap the next standby is booted, off the critical path: its workers
// cost ~30 ms of CPU each, which must not slow the first requests to the new code.
const STANDBY_DELAY_MS = 50
// Tearing a generation's isolates down costs CPU as well (its first request
// after a swap took 9.5 ms instead of 4.2 ms with 2 workers on 2 cores when the
// old generation ended at once): it ends a little later.
const RETIRE_DELAY_MS = 100
const PRUNE_DELAY_MS = 20

/**
 * Owns the generations: the one serving, a pre-booted standby waiting for the
 * next bundle (edit → new response drops from ~94 ms to ~34 ms, research §6),
 * and the retiring ones still finishing their requests.
 */
export class Reloader {
  target: Target | Promise<Target>
  /** Files of the last good build: a change to anything else cannot change the bundle. */
  inputs = new Set<string>()
  lastBuildFailed = false
  /** The entry called listen() itself and a worker captured it (told once, by the listener). */
  onListenCaptured: ((requested: string) => void) | undefined
  /** Where the server listens, once it does. */
  serverAddress: WorkerData['serverAddress']
  #env: Record<string, string> | undefined
  #watchRoots: string[] = []
  #current: Generation | undefined
  #standby: Generation | undefined
  #standbyTimer: NodeJS.Timeout | undefined
  readonly #retiring = new Set<Generation>()
  #gen = 0
  #closed = false
  #pruneTimer: NodeJS.Timeout | undefined
  #pruning: Promise<void> | undefined

  #resolveFirst!: (target: Target) => void

  constructor(
    private readonly config: Config,
    private readonly builder: Builder,
    private readonly logger: Logger,
    private readonly graceMs: number,
  ) {
    // Watched before the first build says what its inputs are.
    this.#watchRoots = [dirname(config.entry)]
    // Requests that arrive before the first build wait for it.
    this.target = new Promise<Target>((resolve) => (this.#resolveFirst = resolve))
  }

  /**
   * The workers' process.env from now on (.env files changed). The standby was
   * booted with the old one, so it goes; the next reload starts fresh workers.
   */
  setEnv(env: Record<string, string>): void {
    this.#env = env
    clearTimeout(this.#standbyTimer)
    void this.#standby?.destroy()
    this.#standby = undefined
  }

  /** Folders to watch: those holding the bundle's inputs, plus --watch paths. */
  watchPaths(): string[] {
    return [...new Set([...this.#watchRoots, ...this.config.watch])]
  }

  /** Build, bring up a generation for it, and make it the target. */
  async reload(reasons: string[], startedAt: number, stale: () => boolean): Promise<ReloadInfo> {
    // A prune not started yet waits for the next swap; one under way finishes first.
    clearTimeout(this.#pruneTimer)
    await this.#pruning
    const waitMs = performance.now() - startedAt
    traceReload('build')
    const build = await this.builder.build()
    traceReload('built')
    const changed = reasons.map((r) => (r.startsWith(sep) ? relative(this.config.cwd, r) : r))
    if (!build.ok) {
      this.lastBuildFailed = true
      this.#watchRoots = reduceRoots([...this.#watchRoots, ...build.files.map((f) => dirname(f))])
      const info: ReloadInfo = { ok: false, gen: this.#current?.gen, changed, waitMs, buildMs: build.ms, loadMs: 0, totalMs: performance.now() - startedAt }
      // More edits already arrived: this error may be a half-saved state.
      if (stale()) return info
      this.logger.error(`\n${(this.logger.color ? build.ansi : build.text).trimEnd()}\n`)
      this.#setTarget({ kind: 'failure', view: { status: 500, title: 'Build failed', text: build.text, hint: 'Fix the error and save: the next good build is served at once.' } })
      this.#retire(this.#current)
      this.#current = undefined
      return info
    }
    this.lastBuildFailed = false
    if (build.warnings) this.logger.warn(build.warnings.trimEnd())
    this.inputs = new Set(build.inputs)
    this.#watchRoots = reduceRoots([dirname(this.config.entry), ...build.inputs.map((f) => dirname(f))].filter((d) => !d.split(sep).includes('node_modules')))

    const loadStarted = performance.now()
    const next = this.#takeStandby() ?? this.#generation(build.preloadUrl, build.url)
    // The first generation comes up at full size; later swaps wait for one worker.
    await next.load(build.url, { all: next.gen === 1 })
    const loadMs = performance.now() - loadStarted
    traceReload('loaded', next.gen)
    if (this.#closed) {
      await next.destroy()
      return { ok: false, gen: undefined, changed, waitMs, buildMs: build.ms, loadMs, totalMs: performance.now() - startedAt }
    }
    if (next.loadError) this.#reportLoadError(next)
    const old = this.#current
    this.#current = next
    this.#setTarget({ kind: 'generation', generation: next })
    traceReload('swap', next.gen)
    const info: ReloadInfo = { ok: true, gen: next.gen, changed, waitMs, buildMs: build.ms, loadMs, totalMs: performance.now() - startedAt }
    this.#retire(old)
    this.#bootStandby(build)
    // Pruning waits until the new code has answered its first requests, and
    // the next build waits for it: beside a build it could delete the bundle
    // being written (or one rebuilt under an old content-hashed name after a
    // revert). Retired bundles go next time.
    this.#pruneTimer = setTimeout(() => {
      this.#pruning = this.builder.prune([this.#current, ...this.#retiring].flatMap((g) => (g?.bundleUrl ? [fileURLToPath(g.bundleUrl)] : [])))
    }, PRUNE_DELAY_MS)
    this.#pruneTimer.unref()
    return info
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#standbyTimer)
    clearTimeout(this.#pruneTimer)
    const ending = [this.#standby, ...this.#retiring].map((g) => g?.destroy())
    await Promise.all([this.#current?.retire(this.graceMs), this.#pruning, ...ending])
  }

  #setTarget(target: Target): void {
    this.target = target
    this.#resolveFirst(target)
  }

  #generation(preloadUrl: string, bundleUrl?: string): Generation {
    const generation: Generation = new Generation({
      gen: ++this.#gen,
      workers: this.config.workers,
      entry: this.config.entryLabel,
      handler: this.config.handler,
      maxMemoryMb: this.config.maxMemoryMb,
      preloadUrl,
      ...(bundleUrl ? { bundleUrl } : {}),
      ...(this.#env ? { env: this.#env } : {}),
      onWorkerError: (error) => this.logger.error(`hotcell: a worker of generation ${generation.gen} crashed outside any request: ${error.stack ?? error.message}`),
      onListenCaptured: (requested) => this.onListenCaptured?.(requested),
      ...(this.serverAddress ? { serverAddress: this.serverAddress } : {}),
      ...crashReporting(this.logger, this.config.cwd, () => generation.gen),
    })
    return generation
  }

  #takeStandby(): Generation | undefined {
    clearTimeout(this.#standbyTimer)
    const standby = this.#standby
    this.#standby = undefined
    return standby
  }

  #bootStandby(build: BuildSuccess): void {
    if (!this.config.reload || this.#closed) return
    this.#standbyTimer = setTimeout(() => {
      if (!this.#closed && !this.#standby) this.#standby = this.#generation(build.preloadUrl)
    }, STANDBY_DELAY_MS)
    this.#standbyTimer.unref()
  }

  #retire(generation: Generation | undefined): void {
    if (!generation) return
    this.#retiring.add(generation)
    const timer = setTimeout(() => void generation.retire(this.graceMs).then(() => this.#retiring.delete(generation)), RETIRE_DELAY_MS)
    timer.unref()
  }

  #reportLoadError(generation: Generation): void {
    const view = { status: 500, title: 'The entry failed to load', error: generation.loadError!, request: { method: 'import', url: this.config.entryLabel } }
    this.logger.error(renderText(view, { root: this.config.cwd, details: true }))
  }
}

/** Drop folders inside other folders of the list: a folder watch is recursive. */
function reduceRoots(dirs: string[]): string[] {
  const sorted = [...new Set(dirs.map((d) => resolve(d)))].sort()
  const roots: string[] = []
  for (const dir of sorted) if (!roots.some((root) => dir === root || dir.startsWith(root + sep))) roots.push(dir)
  return roots
}
