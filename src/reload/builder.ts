// The only module that imports esbuild.
import type * as esbuild from 'esbuild'
import { createRequire } from 'node:module'
import { atCode, ENTRY_GONE_CODE, entryGone } from '../report/build-errors.js'
import { type BuildFailure, buildFailure, type FailureParts, relativeTargets } from './build-failure.js'
import { unresolvedAliases } from './alias-imports.js'
import type { ProjectRoots } from '../report/source-files.js'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { packageRoot, removeStaleDirs } from './build-dirs.js'
import { SourcePackages } from './source-packages.js'
import { CommonJsPackages } from './commonjs-packages.js'
import { pathToFileURL } from 'node:url'
import { EarlyEnd } from './early-end.js'
import { bundleBanner, MODULE_META_BANNER, moduleMetaDefine } from '../../workers/module-meta-names.js'
import { REQUIRE_SHIM, writeOutputs, writePreload } from './build-output.js'
import { configMetaDefine, configModuleMeta } from './config-module-meta.js'
import { rewriteCommonJsWrappers } from './commonjs-wrappers.js'
import { rewriteGlobImports } from './glob-imports.js'
import { runtimeLoaderFolders } from './runtime-loaders.js'
import { COMPUTED_IMPORT_ID, computedImportFolders, computedImportLog, rewriteComputedImports } from './computed-imports.js'

export interface BuildSuccess {
  ok: true
  /** Counts every build of this builder, good or bad. */
  n: number
  ms: number
  /** The bundle, under a name unique to its content. */
  file: string
  url: string
  /** Absolute paths of every source file that went into the bundle. */
  inputs: string[]
  /** How many bytes esbuild read of each input: a file of another size now was written again since. */
  inputBytes: ReadonlyMap<string, number>
  /** The bare imports the bundle leaves to Node (`hono`, `@scope/lib/sub`), static, dynamic or required. */
  packages: string[]
  /**
   * A module next to the bundle, shaped like it, that imports the packages the
   * bundle imports statically (`hono`, `hono/cors`): standby workers load it
   * before the bundle exists.
   */
  preloadUrl: string
  /**
   * The folders of the source files with a dynamic import of a computed path, or importing a package that loads
   * code from disk (runtime-loaders.ts): Node loads what it names, from there (computed-imports.ts).
   */
  computedImportFolders: string[]
  /** esbuild's formatted warnings, empty when there are none. */
  warnings: string
}

export type { BuildFailure }
export type BuildOutcome = BuildSuccess | BuildFailure

export interface Builder {
  /** Where bundles are written. Ignored by the watcher and by git. */
  readonly outDir: string
  /** The developer's folders: the working folder, and the source packages' as the builds find them. */
  readonly roots: ProjectRoots
  /** Resolves when esbuild's service runs with this builder's context; rejects if it cannot start. */
  ready(): Promise<void>
  build(): Promise<BuildOutcome>
  /** Delete bundles no generation uses any more. */
  prune(inUse: Iterable<string>): Promise<void>
  dispose(): Promise<void>
}

// The bundle runs in this very Node: esbuild keeps what it supports. With
// `node20` it dropped the `with { type: 'json' }` of a package's JSON import
// (attributes came in 20.10), and Node then refused the import.
const NODE_TARGET = `node${process.versions.node}`

// esbuild is loaded when the first builder starts, not with this module:
// `hotcell --help` and a config file lookup need not pay for it. And it is
// required, not imported: it is a CommonJS package, and the ESM loader scans
// its 97 KB for named exports first. 9.5 ms of CPU instead of 33 ms (median of
// 5 processes, Node 20, with the ESM loader already in use).
const require = createRequire(import.meta.url)
const loadEsbuild = async () => require('esbuild') as typeof esbuild

/** `startBuilder`, once its esbuild context is ready. */
export async function createBuilder(entry: string, cwd: string): Promise<Builder> {
  const builder = startBuilder(entry, cwd)
  await builder.ready()
  return builder
}

/**
 * An incremental esbuild context for one entry, being set up in the
 * background: `build()` waits for it. Bundles go to a folder of this
 * process's own under `.hotcell/` next to the entry's package.json, so that
 * the bundle's bare imports resolve from the project's node_modules.
 */
export function startBuilder(entryPath: string, cwd: string): Builder {
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
    return setUp(entry, cwd, cacheDir, outDir, [early.plugin, ...commonJs.plugins()])
  })
  // A failure is reported by whoever awaits ready() or build(); never unhandled.
  setup.catch(() => {})
  let disposed: Promise<void> | undefined
  let n = 0
  // Kept by prune(): a standby boots (and imports it) after the swap's prune.
  let preloadFile: string | undefined
  // Workspace packages of TypeScript source, bundled: the context is made again when they change (a cold build).
  const sources = new SourcePackages(dirname(entry))
  // CommonJS packages a CommonJS source imports, required rather than imported: made once they are found.
  const commonJs = new CommonJsPackages(dirname(entry))
  const plugins = () => [early.plugin, ...sources.plugins(), ...commonJs.plugins()]
  const remake = async (state: Awaited<typeof setup>) => {
    const before = state.context
    state.context = await createContext(state.api, entry, cwd, outDir, plugins())
    await before.dispose()
  }
  // `since`: when the first try began (a build tried again with source packages found). Not before setup: the banner's "first build" is not esbuild's start.
  const build = async (number = ++n, since?: number): Promise<BuildOutcome> => {
    const state = await setup
    const { api } = state
    const started = since ?? performance.now()
    if (sources.refreshed()) await remake(state)
    commonJs.beforeBuild()
    try {
      const result = await early.rebuild(state.context)
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
      await writeOutputs(rewriteGlobImports(rewriteCommonJsWrappers(rewriteComputedImports(result.outputFiles!, result.warnings, cwd))))
      // Those are handled: not the developer's concern.
      const warnings = result.warnings.filter((w) => w.id !== COMPUTED_IMPORT_ID)
      preloadFile = writePreload(outDir, output.imports, CommonJsPackages.required(meta))
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
        warnings: warnings.length ? (await api.formatMessages(warnings, { kind: 'warning', color: false })).join('') : '',
      }
    } catch (error) {
      const errors = (error as esbuild.BuildFailure).errors
      if (!Array.isArray(errors)) throw error
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
    build: () => build(),
    async prune(inUse) {
      const keep = new Set<string>()
      for (const file of inUse) keep.add(file).add(file + '.map')
      if (preloadFile) keep.add(preloadFile)
      const names = await readdir(outDir).catch(() => [] as string[])
      await Promise.all(
        names
          .map((name) => join(outDir, name))
          .filter((path) => !keep.has(path))
          .map((path) => rm(path, { force: true })),
      )
    },
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

/** `plugins`: those of the source packages (source-packages.ts), bundled rather than left to Node, and of CommonJS packages (commonjs-packages.ts). */
function createContext(api: typeof esbuild, entry: string, cwd: string, outDir: string, plugins: esbuild.Plugin[]): Promise<esbuild.BuildContext> {
  return api.context({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    packages: 'external',
    outdir: outDir,
    entryNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked',
    // esbuild's default, relied on: a code frame of code saved over since comes from it (workers/source-excerpts.ts).
    sourcesContent: true,
    // Functions and classes keep their source names: an anonymous default export is
    // `default` in a stack as in Node's own ESM (esbuild would name it after the
    // file, `app_default`), and two classes named alike in two files keep
    // their name (esbuild renames one `Foo2`; `constructor.name` shows it).
    keepNames: true,
    metafile: true,
    // Inputs as absolute paths, to compare with the watcher's; messages keep
    // paths relative to cwd, as the developer reads them.
    absWorkingDir: cwd,
    absPaths: ['metafile'],
    banner: { js: `${REQUIRE_SHIM} ${MODULE_META_BANNER} ${bundleBanner(entry, cwd)}` },
    // The source file's import.meta.url, __dirname and module, not the bundle's (workers/module-meta.ts).
    define: moduleMetaDefine,
    logLevel: 'silent',
    // Where each dynamic import of a computed path is, to resolve it from its source file (computed-imports.ts).
    logOverride: computedImportLog,
    // Written by writeOutputs(), not by esbuild: a rebuild deletes the outputs
    // of the build before, and a generation may still be importing its bundle
    // then (a worker replacing a crashed one, or following the first). Old
    // bundles are deleted by prune() once no generation uses them.
    write: false,
    // No onResolve or onLoad otherwise: each callback would cost a round trip to esbuild's process on every rebuild.
    plugins,
  })
}

/**
 * Bundle a config file (hotcell.config.ts) to one ESM file next to it, so that
 * its relative imports and TypeScript work and its bare imports resolve from
 * the project. `hotcell` itself resolves to this very install, for defineConfig.
 */
export async function bundleConfigFile(
  file: string,
  outFile: string,
  hotcellEntry: string,
): Promise<{ ok: true; inputs: string[] } | { ok: false; text: string }> {
  const api = await loadEsbuild()
  try {
    const result = await api.build({
      entryPoints: [file],
      outfile: outFile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: NODE_TARGET,
      packages: 'external',
      banner: { js: REQUIRE_SHIM },
      logLevel: 'silent',
      write: true,
      // Its inputs: the files whose edits change the config (cli/config-watch.ts).
      metafile: true,
      // Read by hand when the config throws (report/bundle-frame.ts); no
      // sourceMappingURL comment, so Node never maps it on its own.
      sourcemap: 'external',
      sourcesContent: false,
      define: configMetaDefine,
      plugins: [
        configModuleMeta,
        {
          name: 'hotcell-self',
          setup(build) {
            build.onResolve({ filter: /^hotcell$/ }, () => ({ path: pathToFileURL(hotcellEntry).href, external: true }))
          },
        },
      ],
    })
    return { ok: true, inputs: Object.keys(result.metafile.inputs).map((input) => resolve(input)) }
  } catch (error) {
    const messages = (error as esbuild.BuildFailure).errors
    if (!Array.isArray(messages)) throw error
    return { ok: false, text: (await api.formatMessages(messages, { kind: 'error', color: false })).join('') }
  }
}
