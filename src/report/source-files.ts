// Whose code a stack frame is: the developer's (shown with source), a
// package's, or hotcell's own machinery (hidden). One answer for the text
// page, the Youch page, the code frame and the stuck location.
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

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

/** A file of the project under `root`: not outside it, not in node_modules, not hotcell's bundles in .hotcell. */
export function isProjectFile(file: string, root: string): boolean {
  if (!isAbsolute(file)) return false
  const rel = relative(root, file)
  return !(rel.startsWith('..') || isAbsolute(rel) || /(^|[\\/])(node_modules|\.hotcell)[\\/]/.test(rel))
}

/** A frame name (a path or a file: URL) as a path of the project, or undefined. */
export function projectPath(name: string | undefined, root: string): string | undefined {
  if (!name) return undefined
  let file = name
  try {
    if (file.startsWith('file://')) file = fileURLToPath(file)
  } catch {
    return undefined
  }
  return isProjectFile(file, root) ? file : undefined
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
