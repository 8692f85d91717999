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

/** esbuild's `define` for the bundle. */
export const moduleMetaDefine = { ...metaDefine(MODULE_META_GLOBAL), 'import.meta.resolve': RESOLVE_NAME }
