// What a build gives back, and what a builder offers (builder.ts makes one).
import type { BuildFailure } from './build-failure.js'
import type { ProjectRoots } from '../report/source-files.js'

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
  /**
   * The TypeScript configs the bundled source packages are compiled with,
   * outside their folders, present or not (source-package-set.ts): watched by name.
   */
  tsconfigs: string[]
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
  /** `succeeded`: called as esbuild's result comes in, before the outputs are written, when the build succeeded. */
  build(succeeded?: () => void): Promise<BuildOutcome>
  /** Stop the build under way, if any, for a newer save: it ends at once as a failure marked `canceled`. */
  cancel(): void
  /** Delete bundles no generation uses any more. */
  prune(inUse: Iterable<string>): Promise<void>
  /**
   * Write the files in use again, as they were, where they are gone (the build
   * folder deleted): only a builder started with `keepOutputs` has them.
   * Resolves with the paths written.
   */
  restore(): Promise<string[]>
  dispose(): Promise<void>
}
