// The only module that loads esbuild (bundle-options.ts imports its types only).
import type * as esbuild from 'esbuild'
import { createRequire } from 'node:module'
import { atCode, ENTRY_GONE_CODE, entryGone } from '../report/build-errors.js'
import { buildFailure, canceledBuild, type FailureParts, relativeTargets } from './build-failure.js'
import type { Builder, BuildOutcome } from './build-outcome.js'
import { bundleOptions, configBundleOptions } from './bundle-options.js'
import { unresolvedAliases } from './alias-imports.js'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { packageRoot, removeStaleDirs } from './build-dirs.js'
import { SourcePackages } from './source-package-set.js'
import { CommonJsPackages } from './commonjs-packages.js'
import { pathToFileURL } from 'node:url'
import { EarlyEnd } from './early-end.js'
import { KeptOutputs } from './kept-outputs.js'
import { writeOutputs, writePreload } from './build-output.js'
import { DEFAULT_LOADERS, type Loader } from '../config/loaders.js'
import { loaderOption } from './loader-option.js'
import { rewriteCommonJsWrappers } from './commonjs-wrappers.js'
import { SOURCES_SUFFIX } from '../../workers/bundle-map.js'
import { withLeanMaps } from './lean-source-map.js'
import { rewriteGlobImports } from './glob-imports.js'
import { runtimeLoaderFolders } from './runtime-loaders.js'
import { COMPUTED_IMPORT_ID, computedImportFolders, rewriteComputedImports } from './computed-imports.js'
import { oneBasedColumns } from '../report/build-columns.js'

// Its importers read what a build gives back from here.
export type { BuildFailure, Builder, BuildOutcome, BuildSuccess } from './build-outcome.js'

// esbuild is loaded when the first builder starts, not with this module:
// `hotcell --help` and a config file lookup need not pay for it. And it is
// required, not imported: it is a CommonJS package, and the ESM loader scans
// its 97 KB for named exports first. 9.5 ms of CPU instead of 33 ms (median of
// 5 processes, Node 20, with the ESM loader already in use).
// esbuild's message for a build cancel() stopped.
const CANCELED = 'The build was canceled'
const require = createRequire(import.meta.url)
const loadEsbuild = async () => require('esbuild') as typeof esbuild

export interface BuilderOptions {
  /** Keep the bytes of the outputs in use, for restore() (kept-outputs.ts): with --no-reload. */
  keepOutputs?: boolean
}

/** `startBuilder`, once its esbuild context is ready. */
export async function createBuilder(entry: string, cwd: string, loaders?: Readonly<Record<string, Loader>>): Promise<Builder> {
  const builder = startBuilder(entry, cwd, loaders)
  await builder.ready()
  return builder
}

/**
 * An incremental esbuild context for one entry, being set up in the
 * background: `build()` waits for it. Bundles go to a folder of this
 * process's own under `.hotcell/` next to the entry's package.json, so that
 * the bundle's bare imports resolve from the project's node_modules.
 */
export function startBuilder(entryPath: string, cwd: string, loaders = DEFAULT_LOADERS, options: BuilderOptions = {}): Builder {
  // `hotcell bench --baseline src/app.ts` passes it as given: packages are looked up from its real folder.
  const entry = resolve(cwd, entryPath)
  const cacheDir = join(packageRoot(entry), '.hotcell')
  const outDir = join(cacheDir, `${process.pid}-${Math.random().toString(36).slice(2, 8)}`)
  // The rebuild's result one round trip before rebuild() resolves (early-end.ts).
  const early = new EarlyEnd()
  // From the next microtask: loading esbuild takes ~10 ms of this thread, and
  // what the caller starts synchronously (the first workers' boot) comes first.
  const setup = Promise.resolve().then(() => {
    commonJs.seed(dirname(cacheDir))
    return setUp(entry, cwd, cacheDir, outDir, [early.plugin, loaderOption(loaders), ...commonJs.plugins()])
  })
  // A failure is reported by whoever awaits ready() or build(); never unhandled.
  setup.catch(() => {})
  let disposed: Promise<void> | undefined
  let n = 0
  // Kept by prune(): a standby boots (and imports it) after the swap's prune.
  let preloadFile: string | undefined
  // The context whose rebuild() runs now, for cancel().
  let building: esbuild.BuildContext | undefined
  const kept = options.keepOutputs ? new KeptOutputs() : undefined
  // Workspace packages of TypeScript source, bundled: the context is made again when they change (a cold build).
  const sources = new SourcePackages(dirname(entry))
  // CommonJS packages a CommonJS source imports, required rather than imported: made once they are found.
  const commonJs = new CommonJsPackages(dirname(entry))
  const plugins = () => [early.plugin, loaderOption(loaders), ...sources.plugins(), ...commonJs.plugins()]
  const remake = async (state: Awaited<typeof setup>) => {
    const before = state.context
    state.context = await createContext(state.api, entry, cwd, outDir, plugins())
    await before.dispose()
  }
  // `since`: when the first try began (a build tried again with source packages found). Not before setup: the banner's "first build" is not esbuild's start.
  const build = async (number = ++n, since?: number, succeeded?: () => void): Promise<BuildOutcome> => {
    const state = await setup
    const { api } = state
    const started = since ?? performance.now()
    if (sources.refreshed()) await remake(state)
    commonJs.beforeBuild()
    building = state.context
    try {
      const result = await early.rebuild(state.context)
      succeeded?.()
      const meta = result.metafile!
      const [file, output] = Object.entries(meta.outputs).find(([name]) => name.endsWith('.mjs'))!
      const packages = [...new Set(output.imports.filter((i) => i.external && !/^(node:|file:|[./#])/.test(i.path)).map((i) => i.path))]
      if (sources.foundAmong(packages) || commonJs.foundAmong(meta)) {
        await remake(state)
        return build(number, started)
      }
      // Only when some package import is left to Node: a build with none has no alias that failed.
      const aliases = packages.length ? unresolvedAliases(meta, cwd) : []
      if (aliases.length) {
        const [messages, files, missing] = [aliases.map((a) => a.message), aliases.flatMap((a) => a.files), aliases.flatMap((a) => a.targets)]
        return failure({ n: number, started, messages, files, missing, onlyMissing: true })
      }
      const outputs = withLeanMaps(rewriteGlobImports(rewriteCommonJsWrappers(rewriteComputedImports(result.outputFiles!, result.warnings, cwd))))
      await writeOutputs(outputs)
      kept?.note(outputs)
      // Those are handled: not the developer's concern.
      const warnings = result.warnings.filter((w) => w.id !== COMPUTED_IMPORT_ID)
      preloadFile = writePreload(outDir, output.imports, CommonJsPackages.required(meta))
      kept?.noteFile(preloadFile)
      return {
        ok: true,
        n: number,
        ms: performance.now() - started,
        file,
        url: pathToFileURL(file).href,
        inputs: [...Object.keys(meta.inputs).filter((input) => !/^[a-z-]+:/.test(input)), ...sources.manifests],
        inputBytes: new Map(Object.entries(meta.inputs).map(([input, { bytes }]) => [input, bytes])),
        packages,
        preloadUrl: pathToFileURL(preloadFile).href,
        computedImportFolders: [...new Set([...computedImportFolders(result.warnings, cwd), ...runtimeLoaderFolders(meta)])],
        tsconfigs: sources.tsconfigs(),
        warnings: warnings.length ? oneBasedColumns((await api.formatMessages(warnings, { kind: 'warning', color: false })).join('')) : '',
      }
    } catch (error) {
      const errors = (error as esbuild.BuildFailure).errors
      if (!Array.isArray(errors)) throw error
      if (errors.length > 0 && errors.every((e) => e.text === CANCELED)) return canceledBuild(number, started)
      // esbuild says 'Could not resolve "/abs/path/app.ts"' of a deleted entry: say what happened, and what brings it back.
      if (!existsSync(entry))
        return failure({ n: number, started, messages: [entryGone(entry, cwd)], missing: [entry], onlyMissing: true, code: ENTRY_GONE_CODE })
      const messages = atCode(errors, cwd)
      const targets = relativeTargets(messages, cwd)
      const missing = targets.filter((t) => t !== undefined)
      return failure({ n: number, started, messages, missing, onlyMissing: missing.length === targets.length })
    }
  }
  const failure = async (parts: FailureParts) => buildFailure((await setup).api, cwd, sources.manifests, parts)
  return {
    outDir,
    roots: sources.roots(cwd),
    ready: () => setup.then(() => {}),
    build: (succeeded) =>
      build(undefined, undefined, succeeded).finally(() => {
        building = undefined
      }),
    cancel() {
      void building?.cancel()
    },
    async prune(inUse) {
      const keep = new Set<string>()
      for (const file of inUse)
        keep
          .add(file)
          .add(file + '.map')
          .add(file + SOURCES_SUFFIX)
      if (preloadFile) keep.add(preloadFile)
      kept?.prune(keep)
      const names = await readdir(outDir).catch(() => [] as string[])
      await Promise.all(
        names
          .map((name) => join(outDir, name))
          .filter((path) => !keep.has(path))
          .map((path) => rm(path, { force: true })),
      )
    },
    restore: () => kept?.restore() ?? Promise.resolve([]),
    dispose() {
      disposed ??= (async () => {
        const context = await setup.then(
          (s) => s.context,
          () => undefined,
        )
        await context?.dispose()
        await rm(outDir, { recursive: true, force: true })
      })()
      return disposed
    },
  }
}

async function setUp(
  entry: string,
  cwd: string,
  cacheDir: string,
  outDir: string,
  plugins: esbuild.Plugin[],
): Promise<{ api: typeof esbuild; context: esbuild.BuildContext }> {
  const api = await loadEsbuild()
  await mkdir(cacheDir, { recursive: true })
  await writeFile(join(cacheDir, '.gitignore'), '# hotcell build output\n*\n')
  await removeStaleDirs(cacheDir)
  await mkdir(outDir, { recursive: true })
  return { api, context: await createContext(api, entry, cwd, outDir, plugins) }
}

/** The app's incremental context: bundleOptions() says what it builds (bundle-options.ts). */
function createContext(api: typeof esbuild, entry: string, cwd: string, outDir: string, plugins: esbuild.Plugin[]): Promise<esbuild.BuildContext> {
  return api.context(bundleOptions(entry, cwd, outDir, plugins))
}

/** Bundle a config file (hotcell.config.ts) as configBundleOptions() says (bundle-options.ts). */
export async function bundleConfigFile(
  file: string,
  outFile: string,
  hotcellEntry: string,
): Promise<{ ok: true; inputs: string[] } | { ok: false; text: string }> {
  const api = await loadEsbuild()
  try {
    const result = await api.build(configBundleOptions(file, outFile, hotcellEntry))
    return { ok: true, inputs: Object.keys(result.metafile!.inputs).map((input) => resolve(input)) }
  } catch (error) {
    const messages = (error as esbuild.BuildFailure).errors
    if (!Array.isArray(messages)) throw error
    return { ok: false, text: oneBasedColumns((await api.formatMessages(messages, { kind: 'error', color: false })).join('')) }
  }
}
