const { createRequire } = process.getBuiltinModule('node:module')
const { fileURLToPath } = process.getBuiltinModule('node:url')
// The bundle is loaded with require() when its module graph allows it (no
// top-level await anywhere in it), and with import() otherwise.
//
// import() reads a file through fs/promises: open, stat, read and close,
// each a round trip through libuv's thread pool. In a standby that had been
// idle, on a 2-core machine where the main thread has just written the bundle
// and esbuild is still running, those four hops were most of a reload's
// "load" phase: 2.7-4.2 ms from the import() call to the bundle's first line
// running, of which ~1.7 ms was CPU (cpu profile of the worker, Node 20).
// require() of an ES module (Node 20.19+, 22.12+) loads the same graph
// through the same ESM loader, synchronously: files are read with readFileSync.
// Evaluation is the same; so are the errors (a missing package is still
// ERR_MODULE_NOT_FOUND, a missing export the same SyntaxError).

const require = createRequire(import.meta.url)
// Not an ESM import of node:util (docs/architecture.md#builtins).
const { types } = process.getBuiltinModule('node:util')

// Flags that can register module customization hooks (module.register()).
// On Node 20, require() of an ES module does not run those hooks, so a
// virtual module or an instrumentation (import-in-the-middle) would stop
// applying to the app's imports: with any of them, import() as before.
const HOOK_FLAGS = /(?:^|\s)(?:--import|--loader|--experimental-loader|--require|-r)(?:[=\s]|$)/

const mayHaveHooks = HOOK_FLAGS.test(process.execArgv.join(' ')) || HOOK_FLAGS.test(process.env.NODE_OPTIONS ?? '')

/**
 * The module namespace of `url` (a file: URL), loaded and evaluated
 * synchronously when it can be. `namespace: false` (the preload, run only for
 * its imports) resolves to an empty object once the module has run.
 */
export function importBundle(url: string, { namespace = true }: { namespace?: boolean } = {}): Promise<Record<string, unknown>> {
  if (!process.features.require_module || mayHaveHooks) return import(url)
  let loaded: unknown
  try {
    loaded = require(fileURLToPath(url))
  } catch (error) {
    // Decided before anything in the graph runs: import() then evaluates it
    // once. (A package's own require() of such a graph fails with the same
    // code while the graph runs; import() then reports that failure.)
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_REQUIRE_ASYNC_MODULE') return import(url)
    return Promise.reject(error)
  }
  if (!namespace) return Promise.resolve({})
  // require() returns the namespace, with an `__esModule` key added beside a
  // default export (the handler is found by name, so it changes nothing);
  // an entry that exports `'module.exports'` gets that value instead, and
  // import() then hands over the namespace of the module just evaluated (no
  // file is read again, but ~0.3 ms of every reload when done always).
  if (types.isModuleNamespaceObject(loaded)) return Promise.resolve(loaded as Record<string, unknown>)
  return import(url)
}
