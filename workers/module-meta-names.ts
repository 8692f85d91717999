// The names the builder gives the bundle for its module metadata, shared by
// the main thread (builder.ts, config-module-meta.ts, computed-imports.ts) and
// the workers (module-meta.ts): constants only, so that the server bundle
// takes in none of the workers' code.

/** The global the builder's define points at. */
export const MODULE_META_GLOBAL = '__hotcellModule'

// The bundle's banner declares these two: `import.meta.resolve` and a dynamic
// import of a computed path must resolve in the bundle itself (a package from its
// folder, as its imports), and relative paths from the caller's source file.
// The import's name has the length of `import`: the builder puts it in
// place of that keyword (reload/computed-imports.ts), and the source map's
// columns stay true.
const RESOLVE_NAME = '__hotcellResolve'
export const IMPORT_NAME = '__hcIm'

/**
 * Declares what the define and the builder's rewrite point at, for the
 * bundle's banner. `import (` with a space: this text is in the server
 * bundle too, where code-cache.test.ts counts every `import(` call.
 */
export const MODULE_META_BANNER =
  `function ${RESOLVE_NAME}(specifier, parent) { return ${MODULE_META_GLOBAL}.resolve(${RESOLVE_NAME}, import.meta.resolve, specifier, parent) }; ` +
  `function ${IMPORT_NAME}(specifier, options) { return ${MODULE_META_GLOBAL}.import(${IMPORT_NAME}, (target) => import (target, options), specifier) };`

/** esbuild's `define` of the five names as properties of `holder` (also the config bundle's, reload/config-module-meta.ts). */
export function metaDefine(holder: string): Record<string, string> {
  return {
    'import.meta.url': `${holder}.url`,
    'import.meta.dirname': `${holder}.dirname`,
    'import.meta.filename': `${holder}.filename`,
    __dirname: `${holder}.dirname`,
    __filename: `${holder}.filename`,
  }
}

/**
 * esbuild's `define` for the bundle. `module` and `require.main` as a
 * CommonJS file has them (workers/commonjs-modules.ts): esbuild replaces
 * `module` only where it is free, in a file with import/export syntax; a file
 * esbuild wraps as CommonJS keeps its own `module` parameter.
 * `import.meta.main` as Node 24 has it, on every Node: true in the entry's
 * source only (the bundle itself is never Node's main module).
 */
export const moduleMetaDefine = {
  ...metaDefine(MODULE_META_GLOBAL),
  'import.meta.resolve': RESOLVE_NAME,
  'import.meta.main': `${MODULE_META_GLOBAL}.isMain`,
  module: `${MODULE_META_GLOBAL}.module`,
  'require.main': `${MODULE_META_GLOBAL}.main`,
}

/**
 * The bundle's banner, after MODULE_META_BANNER: which source file is the
 * entry (`require.main`, `import.meta.main`, `process.argv[1]`), and the folder esbuild names the files it wraps as
 * CommonJS relative to (its working folder).
 */
export function bundleBanner(entryFile: string, workingDir: string): string {
  return `${MODULE_META_GLOBAL}.bundle(${JSON.stringify(entryFile)}, ${JSON.stringify(workingDir)});`
}

/**
 * esbuild's helper for a file it wraps as CommonJS makes that file's `module`
 * as this; the builder makes it call the global's commonJs(cb) instead
 * (reload/commonjs-wrappers.ts), which gives it the entry's `require.main` and
 * a filename.
 */
export const COMMONJS_HELPER_MODULE = '(mod = { exports: {} })'
export const COMMONJS_HOOKED_MODULE = `(mod = ${MODULE_META_GLOBAL}.commonJs(cb))`
