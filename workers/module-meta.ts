// `import.meta.url`, `import.meta.dirname`, `import.meta.filename`,
// `__dirname` and `__filename` as the user's source file has them, not as the
// bundle in .hotcell/ would: `express.static(join(import.meta.dirname,
// 'public'))` or `new URL('./data.json', import.meta.url)` then find the
// project's files, as under tsx or node.
//
// The builder defines each of them as a property of one global
// (moduleMetaDefine, used by builder.ts); esbuild leaves an app's own
// `const __dirname = …` alone. Reading the property finds its caller's
// position in the bundle and maps it through the bundle's source map to the
// source file. Why at run time: a per-file value at build time needs an
// esbuild onLoad plugin, which runs for every file on every rebuild (~0.3 ms
// per file measured: 30 ms per reload for 100 files).
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { computedImport, resolve } from './computed-import.js'
import { sourceSite } from './source-site.js'

/** The global the builder's define points at. */
export const MODULE_META_GLOBAL = '__hotcellModule'

// The bundle's banner declares these two: `import.meta.resolve` and a computed
// `import(path)` must resolve in the bundle itself (a package from its
// folder, as its imports), and relative paths from the caller's source file.
// The import's name has the length of `import`: the builder puts it in
// place of that keyword (reload/computed-imports.ts), and the source map's
// columns stay true.
const RESOLVE_NAME = '__hotcellResolve'
export const IMPORT_NAME = '__hcIm'

/** Declares what the define and the builder's rewrite point at, for the bundle's banner. */
export const MODULE_META_BANNER =
  `function ${RESOLVE_NAME}(specifier, parent) { return ${MODULE_META_GLOBAL}.resolve(${RESOLVE_NAME}, import.meta.resolve, specifier, parent) }; ` +
  `function ${IMPORT_NAME}(specifier, options) { return ${MODULE_META_GLOBAL}.import(${IMPORT_NAME}, (target) => import(target, options), specifier) };`

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

const sourceUrl = (caller: (...args: never[]) => unknown) => sourceSite(caller).url

const meta = {
  get url(): string {
    return sourceUrl(urlGetter)
  },
  get filename(): string {
    return fileURLToPath(sourceUrl(filenameGetter))
  },
  get dirname(): string {
    return dirname(fileURLToPath(sourceUrl(dirnameGetter)))
  },
  resolve,
  import: computedImport,
}
const getter = (name: keyof typeof meta) => Object.getOwnPropertyDescriptor(meta, name)!.get! as (...args: never[]) => unknown
const urlGetter = getter('url')
const filenameGetter = getter('filename')
const dirnameGetter = getter('dirname')

/**
 * Make the global available to the bundle. Source maps must be on before the
 * bundle is imported (the worker turns them on for stacks anyway).
 */
export function installModuleMeta(): void {
  if (MODULE_META_GLOBAL in globalThis) return
  if (!process.sourceMapsEnabled) process.setSourceMapsEnabled(true)
  Object.defineProperty(globalThis, MODULE_META_GLOBAL, { value: Object.freeze(meta), configurable: false, enumerable: false, writable: false })
}
