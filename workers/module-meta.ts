// `import.meta.url`, `import.meta.dirname`, `import.meta.filename`,
// `import.meta.main`, `__dirname`, `__filename`, `module` and `require.main` as the user's source file has them, not as the
// bundle in .hotcell/ would: `express.static(join(import.meta.dirname,
// 'public'))` or `new URL('./data.json', import.meta.url)` then find the
// project's files, as under tsx or node.
//
// The builder defines each of them as a property of one global
// (moduleMetaDefine of module-meta-names.ts, used by builder.ts); esbuild leaves an app's own
// `const __dirname = …` alone. Reading the property finds its caller's
// position in the bundle and maps it through the bundle's source map to the
// source file. Why at run time: a per-file value at build time needs an
// esbuild onLoad plugin, which runs for every file on every rebuild (~0.3 ms
// per file measured: 30 ms per reload for 100 files).
import { bundle, commonJs, isEntry, mainModule, moduleOf } from './commonjs-modules.js'
import { computedImport, resolve } from './computed-import.js'
import { globMiss } from './glob-miss.js'
import { MODULE_META_GLOBAL } from './module-meta-names.js'
import { sourceSite } from './source-site.js'
const { dirname } = process.getBuiltinModule('node:path')
const { fileURLToPath } = process.getBuiltinModule('node:url')

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
  get module(): unknown {
    return moduleOf(moduleGetter)
  },
  get main(): unknown {
    return mainModule()
  },
  get isMain(): boolean {
    return isEntry(sourceUrl(isMainGetter))
  },
  resolve,
  import: computedImport,
  globMiss,
  commonJs,
  bundle,
}
const getter = (name: keyof typeof meta) => Object.getOwnPropertyDescriptor(meta, name)!.get! as (...args: never[]) => unknown
const urlGetter = getter('url')
const filenameGetter = getter('filename')
const dirnameGetter = getter('dirname')
const moduleGetter = getter('module')
const isMainGetter = getter('isMain')

/**
 * Make the global available to the bundle. Source maps must be on before the
 * bundle is imported (the worker turns them on for stacks anyway).
 */
export function installModuleMeta(): void {
  if (MODULE_META_GLOBAL in globalThis) return
  if (!process.sourceMapsEnabled) process.setSourceMapsEnabled(true)
  Object.defineProperty(globalThis, MODULE_META_GLOBAL, { value: Object.freeze(meta), configurable: false, enumerable: false, writable: false })
}
