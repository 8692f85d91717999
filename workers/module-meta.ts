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
import { findSourceMap } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The global the builder's define points at. */
export const MODULE_META_GLOBAL = '__hotcellModule'

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
export const moduleMetaDefine = metaDefine(MODULE_META_GLOBAL)

// Call site in the bundle (file:line:column) → the source file's URL. A site
// is mapped once; reading import.meta.url in a request handler then costs a
// one-frame stack capture.
const mapped = new Map<string, string>()

function sourceUrl(caller: (...args: never[]) => unknown): string {
  const { prepareStackTrace, stackTraceLimit } = Error
  const holder: { stack?: NodeJS.CallSite[] } = {}
  let site: NodeJS.CallSite | undefined
  try {
    Error.stackTraceLimit = 1
    Error.prepareStackTrace = (_error, sites) => sites
    Error.captureStackTrace(holder, caller)
    // Formatted on first read, with the prepareStackTrace of that moment.
    site = holder.stack?.[0]
  } finally {
    Error.prepareStackTrace = prepareStackTrace
    Error.stackTraceLimit = stackTraceLimit
  }
  const file = site?.getFileName() ?? undefined
  const line = site?.getLineNumber() ?? 0
  const column = site?.getColumnNumber() ?? 0
  const key = `${file}:${line}:${column}`
  let url = mapped.get(key)
  if (url === undefined) {
    const entry = file && line && column ? findSourceMap(file)?.findEntry(line - 1, column - 1) : undefined
    const source = entry && 'originalSource' in entry ? (entry.originalSource as string) : undefined
    // Unmapped (no source map): the caller's own file, as before the define.
    url = toUrl(source ?? file ?? `${process.cwd()}/`)
    mapped.set(key, url)
  }
  return url
}

function toUrl(location: string): string {
  return location.startsWith('file:') ? location : pathToFileURL(location).href
}

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
