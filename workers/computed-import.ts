// `import.meta.resolve('./x')` and `import(spec)` with a path computed when the
// code runs (`'./routes/' + name + '.js'` in a variable) resolve in the bundle,
// which is in .hotcell/<id>/: a relative path there named a file that never
// exists. Here a relative path resolves from the caller's source file, as
// under node, and anything else (a package, `#imports`, an absolute path or
// URL) as the bundle's own imports do. The files such an import() loads are
// not the bundle's: Node loads them as they are on disk, so a .js file works
// as under node, and a .ts file only if this Node can strip its types; when it
// cannot, the error says so, and how to let esbuild bundle it.
import { computedAliasError } from './alias-errors.js'
import { missingPackageAt, packageName } from './missing-package.js'
import { type SourceSite, sourceSite } from './source-site.js'
const { dirname, relative } = process.getBuiltinModule('node:path')
const { fileURLToPath } = process.getBuiltinModule('node:url')

const RELATIVE = /^\.\.?(?:\/|$)/
const TYPESCRIPT = /\.[cm]?tsx?$/
const MISSING_PACKAGE = /^Cannot find package '([^']+)' imported from /
// Node 20 cannot load .ts at all; later Nodes strip types but refuse some syntax, and any file under node_modules.
const CANNOT_RUN_TYPESCRIPT = new Set([
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
  'ERR_INVALID_TYPESCRIPT_SYNTAX',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING',
])

type Caller = (...args: never[]) => unknown

/** `import.meta.resolve(specifier)` of the caller's source file. */
export function resolve(caller: Caller, native: (specifier: string, parent?: unknown) => string, specifier: unknown, parent?: unknown): string {
  // An explicit parent (Node's --experimental-import-meta-resolve) says where from itself.
  if (parent !== undefined) return native(specifier as string, parent)
  const text = String(specifier)
  return RELATIVE.test(text) ? new URL(text, sourceSite(caller).url).href : native(text)
}

/** `import(specifier)` with the path computed at run time, as the caller's source file would import it. */
export function computedImport(caller: Caller, load: (target: string) => Promise<unknown>, specifier: unknown): Promise<unknown> {
  // Now, while the caller's frame is on the stack.
  const site = sourceSite(caller)
  return importFrom(site, load, specifier)
}

async function importFrom(site: SourceSite, load: (target: string) => Promise<unknown>, specifier: unknown): Promise<unknown> {
  const text = String(specifier)
  const target = RELATIVE.test(text) ? new URL(text, site.url).href : text
  try {
    return await load(target)
  } catch (error) {
    throw explained(error, text, target, site)
  }
}

/** Node's error, naming the source file and line of the import() where it named the bundle; for a TypeScript file, what to do. */
function explained(error: unknown, specifier: string, target: string, site: SourceSite): unknown {
  if (!(error instanceof Error)) return error
  const code = (error as NodeJS.ErrnoException).code
  const source = site.url.startsWith('file:') ? fileURLToPath(site.url) : site.url
  const where = `${relative(process.cwd(), source)}:${site.line}`
  const targetPath = target.startsWith('file:') ? fileURLToPath(target) : target
  let message = error.message
  const missing = code === 'ERR_MODULE_NOT_FOUND' && !RELATIVE.test(specifier) ? MISSING_PACKAGE.exec(message)?.[1] : undefined
  if (missing && !missing.startsWith('/')) {
    // A tsconfig alias (`@/lib/${name}`) is the bundle's to resolve, and Node knows none: say which alias, and where it points.
    const at = { file: source, line: site.line, column: site.column, specifier }
    message = (computedAliasError(at, packageName(missing)) ?? missingPackageAt(packageName(missing), at, dirname(source))).message
  } else if (TYPESCRIPT.test(targetPath) && code && CANNOT_RUN_TYPESCRIPT.has(code)) {
    message =
      `import('${specifier}') at ${where} names a TypeScript file, ${relative(process.cwd(), targetPath)}, by a path computed when the code runs. ` +
      `hotcell compiles the files esbuild can follow when it bundles; this one Node loads itself, and Node ${process.versions.node} cannot run it ` +
      `(${error.message}). Write the path into the import() itself, as a template literal with its folder spelled out, ` +
      `import(\`./routes/\${name}.ts\`), or as './routes/' + name + '.ts': esbuild then bundles every file that can match.`
  } else if (site.bundle) {
    const bundlePath = site.bundle.startsWith('file:') ? fileURLToPath(site.bundle) : site.bundle
    message = message.replaceAll(site.bundle, where).replaceAll(bundlePath, where)
  }
  if (message === error.message) return error
  error.message = message
  // Only the import's own place: the frames of Node's loader say nothing to the developer.
  error.stack = `${error.name}${code ? ` [${code}]` : ''}: ${message}\n    at ${source}:${site.line}:${site.column}`
  return error
}
