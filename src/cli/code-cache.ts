// Loads the server bundle (~440 KB of CommonJS) with a V8 code cache: compiling
// it, and the functions its start runs, is ~10 ms of every start (Node 20 has
// no compile cache of its own; Node 22's module.enableCompileCache() would also
// keep an entry for every config file hotcell imports, each under a new name).
// The cache is written once per bundle and Node version, a few seconds into a
// run, when the start and the first requests have compiled what they use.
// Measured (Node 20, docs/benchmarks.md): 6-9 ms of the start, for ~0.7 MiB
// more idle memory in the server process. NODE_DISABLE_COMPILE_CACHE=1, Node's
// own switch, turns it off.
import { createHash } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { Script } from 'node:vm'

/** Long enough for the start and a first request; short enough for most runs to reach. */
const WRITE_AFTER_MS = 3_000

interface CommonJsModule {
  filename: string
  paths: string[]
  loaded: boolean
  exports: unknown
}
type ModuleClass = { new (id: string, parent?: unknown): CommonJsModule; _nodeModulePaths(dir: string): string[] }
type Wrapped = (exports: unknown, require: NodeJS.Require, module: CommonJsModule, filename: string, dirname: string, hotcellImport: Importer) => void
type Importer = (specifier: string) => Promise<unknown>

// Node's CommonJS wrapper, and the bundle's import() (dynamic-import.ts):
// compiled here, by Node's own loader, it works.
const WRAPPER = ['(function (exports, require, module, __filename, __dirname, __hotcellImport) { ', '\n});']
const importer: Importer = (specifier) => import(specifier)

/** How a load went: no cache kept (turned off), none yet, one used, or one V8 turned down (it is replaced). */
export type CodeCacheUse = 'off' | 'none' | 'used' | 'rejected'

/** `require(file)`, with its compiled code kept in a V8 code cache between runs. */
export function requireWithCodeCache(file: string, writeAfterMs = WRITE_AFTER_MS): CodeCacheUse {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) {
    createRequire(file)(file)
    return 'off'
  }
  const { source, sha1 } = readSource(file)
  const dir = cacheDir(file)
  // V8 checks only the source's length against the cache: the name carries a hash of the text
  // (node:crypto, which the bundle loads anyway: node:zlib's crc32 cost 1 ms more).
  const prefix = `${basename(file, '.cjs')}-${process.version}-${process.arch}-`
  const name = `${prefix}${sha1.slice(0, 16)}.v8`
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(join(dir, name))
  } catch {}
  const script = new Script(WRAPPER[0] + source + WRAPPER[1], { filename: file, ...(cachedData && { cachedData }) })
  const use: CodeCacheUse = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'
  if (use !== 'used') setTimeout(() => writeCache(script, dir, prefix, name), writeAfterMs).unref()
  const Mod = Module as unknown as ModuleClass
  const module = new Mod(file)
  module.filename = file
  module.paths = Mod._nodeModulePaths(dirname(file))
  const compiled = script.runInThisContext() as Wrapped
  compiled.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), importer)
  module.loaded = true
  return use
}

/** Bytes read at a time: under glibc's mmap threshold (128 KiB). */
const CHUNK = 64 * 1024

/**
 * The file's text and the SHA-1 of its bytes, read in small pieces. Read
 * whole, the ~450 KB bundle (and its hash, which took the text as UTF-8 at
 * 3 bytes a character: 1.3 MiB) went through malloc chunks too large for its
 * heap, which glibc maps and unmaps, and then raises its mmap threshold to the
 * largest one freed (2.6 MiB of trim threshold): the start's later allocations
 * stayed in a heap that was never trimmed (Node 20: 1.3-2.1 MiB that
 * malloc_trim() gave back from the idle server, 0.4-0.5 with this).
 */
function readSource(file: string): { source: string; sha1: string } {
  const fd = openSync(file, 'r')
  try {
    const chunk = Buffer.allocUnsafeSlow(CHUNK)
    const decoder = new StringDecoder('utf8')
    const sha1 = createHash('sha1')
    let source = ''
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null)
      if (n === 0) break
      const bytes = chunk.subarray(0, n)
      sha1.update(bytes)
      source += decoder.write(bytes)
    }
    return { source: source + decoder.end(), sha1: sha1.digest('hex') }
  } finally {
    closeSync(fd)
  }
}

/**
 * Where caches of tools live (node_modules/.cache/<tool>, as Babel and ESLint
 * keep theirs): that of the project hotcell is installed in, or, run from
 * its own checkout, its own. file is dist/src/cli/<name>.cjs.
 */
export function cacheDir(file: string): string {
  const root = resolve(dirname(file), '../../..')
  return basename(dirname(root)) === 'node_modules' ? join(dirname(root), '.cache', 'hotcell') : join(root, 'node_modules', '.cache', 'hotcell')
}

function writeCache(script: Script, dir: string, prefix: string, name: string): void {
  try {
    mkdirSync(dir, { recursive: true })
    // One cache per bundle and Node version: those of earlier bundles go.
    for (const old of readdirSync(dir)) if (old.startsWith(prefix) && old !== name) rmSync(join(dir, old), { force: true })
    // Renamed into place: a start reading it meanwhile sees all of it or none.
    const partial = join(dir, `${name}.${process.pid}.partial`)
    writeFileSync(partial, script.createCachedData())
    renameSync(partial, join(dir, name))
  } catch {
    // A read-only install, a full disk: the next start compiles, as without a cache.
  }
}
