// What esbuild is asked for: the app's bundle (an incremental context, builder.ts)
// and the config file's. Types only from esbuild here: builder.ts alone loads it.
import type * as esbuild from 'esbuild'
import { pathToFileURL } from 'node:url'
import { bundleBanner, MODULE_META_BANNER, moduleMetaDefine } from '../../workers/module-meta-names.js'
import { REQUIRE_SHIM } from './build-output.js'
import { configMetaDefine, configModuleMeta } from './config-module-meta.js'
import { computedImportLog } from './computed-imports.js'

// The bundle runs in this very Node: esbuild keeps what it supports. With
// `node20` it dropped the `with { type: 'json' }` of a package's JSON import
// (attributes came in 20.10), and Node then refused the import.
const NODE_TARGET = `node${process.versions.node}`

/** The app's bundle. `plugins`: those of the source packages (source-packages.ts), bundled rather than left to Node, and of CommonJS packages (commonjs-packages.ts). */
export function bundleOptions(entry: string, cwd: string, outDir: string, plugins: esbuild.Plugin[]): esbuild.BuildOptions {
  return {
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
  }
}

/**
 * A config file (hotcell.config.ts) to one ESM file next to it, so that its
 * relative imports and TypeScript work and its bare imports resolve from the
 * project. `hotcell` itself resolves to this very install, for defineConfig.
 */
export function configBundleOptions(file: string, outFile: string, hotcellEntry: string): esbuild.BuildOptions {
  return {
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
  }
}
