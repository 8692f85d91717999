// Whose code a stack frame is: the developer's (shown with source), a
// package's, or hotcell's own machinery (hidden). One answer for the text
// page, the Youch page, the code frame and the stuck location.
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * The folders whose files are the developer's own code. The working folder,
 * and the workspace packages of TypeScript source the bundle compiles
 * (source-packages.ts): run from apps/web, a throw in packages/lib is the
 * developer's line too, watched and rebuilt on save like the app's.
 */
export interface ProjectRoots {
  /** The working folder: the paths shown are relative to it. */
  readonly cwd: string
  /** Every root, the working folder first; the source packages' as real paths, as their mapped frames name them. */
  readonly dirs: readonly string[]
}

// hotcell's own install: dist/ of this package. Its frames are the machinery
// that called the handler; Youch would list them as "in app" since they are
// not under node_modules.
const OWN_DIST = join(dirname(dirname(dirname(dirname(fileURLToPath(import.meta.url))))), 'dist') + sep
// ...and as ESM frames name it: a file: URL, where a space or a non-ASCII
// letter in the install's path is percent-encoded.
const OWN_DIST_URL = pathToFileURL(OWN_DIST).href
// Where piscina, which runs the worker, is when npm hoists it into the project's node_modules.
const OWN_PACKAGES = /[\\/]node_modules[\\/]piscina[\\/]/
// A frame still in the bundle after source mapping is esbuild's own helper
// code (__require, __commonJS, __toESM…): the app's frames map to its files.
const BUNDLE_HELPER = /(^|[\s(/\\])\.hotcell[\\/][^\\/]+[\\/][^\\/]+\.mjs:\d+/

/** A file of the project: under one of its roots, not in node_modules, not hotcell's bundles in .hotcell. */
export function isProjectFile(file: string, roots: ProjectRoots): boolean {
  if (!isAbsolute(file)) return false
  return roots.dirs.some((root) => {
    const rel = relative(root, file)
    return !(rel.startsWith('..') || isAbsolute(rel) || /(^|[\\/])(node_modules|\.hotcell)[\\/]/.test(rel))
  })
}

/** A frame name (a path or a file: URL) as a path of the project, or undefined. */
export function projectPath(name: string | undefined, roots: ProjectRoots): string | undefined {
  if (!name) return undefined
  let file = name
  try {
    if (file.startsWith('file://')) file = fileURLToPath(file)
  } catch {
    return undefined
  }
  return isProjectFile(file, roots) ? file : undefined
}

/**
 * A file as the developer reads it: relative to the working folder, as the
 * app's files are and as the reload line names a saved file. A source
 * package's is `../../packages/lib/src/index.ts` run from apps/web: a path a
 * terminal's link and a shell in that folder both open.
 */
export function shownPath(file: string, roots: ProjectRoots): string {
  return relative(roots.cwd, file)
}

/**
 * A stack line with the paths under the roots shown as `shownPath` does:
 * each root's prefix, as a path or as a file: URL, where a frame's location
 * starts (not inside a longer path that happens to contain it).
 */
export function shortenFrame(frame: string, roots: ProjectRoots): string {
  let shown = frame
  for (const root of [...roots.dirs].sort((a, b) => b.length - a.length)) {
    const rel = relative(roots.cwd, root)
    const to = rel ? rel + sep : ''
    for (const prefix of [pathToFileURL(root).href + '/', root + sep]) {
      shown = shown.replace(new RegExp(`(^|[\\s(])${escapeRegExp(prefix)}`, 'g'), (_, before: string) => before + to)
    }
  }
  return shown
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** An `at …` line of hotcell's own code (its dist/, a package of its own running the app, the bundle's helpers). */
export function isOwnFrame(line: string): boolean {
  return line.includes(OWN_DIST) || line.includes(OWN_DIST_URL) || OWN_PACKAGES.test(line) || BUNDLE_HELPER.test(line)
}

// Frames of Node and V8 code hotcell's calls the app through: hotcell's when
// their caller is. AsyncLocalStorage.run (node:async_hooks on Node 20,
// node:internal/async_local_storage/ on 24), the scope each request runs in;
// and a built-in without a location, such as `new Promise (<anonymous>)`, the
// executor a Node handler or a two-parameter fetch function is called from.
const CALLED_THROUGH = /^\s+at (?:AsyncLocalStorage\.run \(node:|.*\(<anonymous>\)$)/

/** The stack without hotcell's own frames (and Node's frames it called through); the message lines stay. */
export function withoutOwnFrames(stack: string): string {
  const lines = stack.split('\n')
  const frame = (line: string) => /^\s+at /.test(line)
  return lines
    .filter((line, i) => {
      if (!frame(line)) return true
      if (isOwnFrame(line)) return false
      if (CALLED_THROUGH.test(line)) {
        const caller = lines.slice(i + 1).find(frame)
        if (caller && isOwnFrame(caller)) return false
      }
      return true
    })
    .join('\n')
}
