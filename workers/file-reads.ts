// Which project files the app reads and writes through Node's fs, for the
// main thread to reload on their change (src/reload/runtime-reads.ts): a view
// a template engine reads, a file express.static sends, a config read at
// import. Each fs function that names a file is wrapped once, before any of
// the app's packages load (CommonJS callers see the wrapped function on the
// module; ESM importers once syncBuiltinESMExports() updates their bindings).
// A wrapped call costs a Map lookup of its path argument after the first;
// the first of each path also a resolve and, for a project file, a message.
import type { FilesRead } from '../src/pool/protocol.js'
const fs = process.getBuiltinModule('node:fs')
const { syncBuiltinESMExports } = process.getBuiltinModule('node:module')
const { isAbsolute, resolve, sep } = process.getBuiltinModule('node:path')
const { fileURLToPath } = process.getBuiltinModule('node:url')

type When = 'import' | 'request' | 'written' | 'outside'

/** The fs functions whose first argument is a file the app reads (or looks at: a missing one may be created). */
const READS = ['readFile', 'readFileSync', 'createReadStream', 'stat', 'statSync', 'lstat', 'lstatSync', 'existsSync'] as const
const PROMISE_READS = ['readFile', 'stat', 'lstat'] as const
/** …and those that write it. rename and copyFile write their second argument (an atomic save writes a temporary file, then renames it). */
const WRITES = ['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream'] as const
const PROMISE_WRITES = ['writeFile', 'appendFile'] as const
const SECOND_WRITES = ['rename', 'renameSync', 'copyFile', 'copyFileSync'] as const
const PROMISE_SECOND_WRITES = ['rename', 'copyFile'] as const

/**
 * Report the files under `roots` that the app reads and writes, each once per
 * worker (once more if read at import after a request read it first).
 * `requestRunning`: a read then is one a request made, which the next
 * request makes again; any other (at import, at the start, in a timer) may
 * be kept in memory. In production mode (NODE_ENV) engines cache what they
 * read (Express's view cache), so every read counts as one kept.
 */
export function reportFileReads(roots: readonly string[], requestRunning: () => boolean, post: (report: FilesRead) => void): void {
  const seen = new Map<string, When>()
  const insides = roots.map((root) => (root.endsWith(sep) ? root : root + sep))
  const note = (file: unknown, write: boolean) => {
    try {
      const known = typeof file === 'string' ? seen.get(file) : undefined
      if (known === 'outside' || known === 'written') return
      if (!write && (known === 'import' || (known === 'request' && requestRunning()))) return
      const path = pathOf(file)
      if (path === undefined) return
      if (
        !insides.some((inside) => path.startsWith(inside)) ||
        path.includes(`${sep}node_modules${sep}`) ||
        path.includes(`${sep}.hotcell${sep}`) ||
        path.includes(`${sep}.git${sep}`)
      ) {
        if (typeof file === 'string') seen.set(file, 'outside')
        return
      }
      const when: When = write ? 'written' : requestRunning() && process.env.NODE_ENV !== 'production' ? 'request' : 'import'
      const key = typeof file === 'string' ? file : path
      if (seen.get(key) === when) return
      seen.set(key, when)
      post({ atImport: when === 'import' ? [path] : [], atRequest: when === 'request' ? [path] : [], written: write ? [path] : [] })
    } catch {
      // A report is never worth failing the app's own call.
    }
  }
  const api = fs as unknown as Record<string, unknown>
  const promises = fs.promises as unknown as Record<string, unknown>
  for (const name of READS) wrap(api, name, (args) => note(args[0], false))
  for (const name of PROMISE_READS) wrap(promises, name, (args) => note(args[0], false))
  for (const name of WRITES) wrap(api, name, (args) => note(args[0], true))
  for (const name of PROMISE_WRITES) wrap(promises, name, (args) => note(args[0], true))
  for (const name of SECOND_WRITES) wrap(api, name, (args) => note(args[1], true))
  for (const name of PROMISE_SECOND_WRITES) wrap(promises, name, (args) => note(args[1], true))
  // open() is how loggers write (pino's sonic-boom): its flags say which way.
  for (const [owner, name] of [
    [api, 'open'],
    [api, 'openSync'],
    [promises, 'open'],
  ] as const)
    wrap(owner, name, (args) => note(args[0], writes(args[1])))
  syncBuiltinESMExports()
}

function wrap(owner: Record<string, unknown>, name: string, note: (args: unknown[]) => void): void {
  const original = owner[name]
  if (typeof original !== 'function') return
  const wrapped = function (this: unknown, ...args: unknown[]) {
    note(args)
    return original.apply(this, args)
  }
  // util.promisify.custom and the like, and the name stacks show.
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'prototype') continue
    const descriptor = Reflect.getOwnPropertyDescriptor(original, key)
    if (descriptor) Reflect.defineProperty(wrapped, key, descriptor)
  }
  owner[name] = wrapped
}

/** The absolute path a fs call names, or undefined for a descriptor or a FileHandle. */
function pathOf(file: unknown): string | undefined {
  let path: string
  if (typeof file === 'string') path = file
  else if (file instanceof URL) {
    if (file.protocol !== 'file:') return undefined
    path = fileURLToPath(file)
  } else if (file instanceof Uint8Array) path = Buffer.from(file).toString()
  else return undefined
  return isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path)
}

/** open()'s flags write the file: 'w', 'a', 'r+'…, or O_WRONLY / O_RDWR. */
function writes(flags: unknown): boolean {
  if (typeof flags === 'number') return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0
  return typeof flags === 'string' && /[wa+]/.test(flags)
}
