// Whose code a stack frame is: the developer's (shown with source), a
// package's, or hotcell's own machinery (hidden). One answer for the text
// page, the Youch page, the code frame and the stuck location.
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

// hotcell's own install: dist/ of this package. Its frames are the machinery
// that called the handler; Youch would list them as "in app" since they are
// not under node_modules.
const OWN_DIST = join(dirname(dirname(dirname(dirname(fileURLToPath(import.meta.url))))), 'dist') + sep
// Where they are when npm hoists them into the project's node_modules:
// piscina runs the worker, light-my-request calls a Node (req, res) handler.
const OWN_PACKAGES = /[\\/]node_modules[\\/](piscina|light-my-request)[\\/]/

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

/** An `at …` line of hotcell's own code (its dist/, or a package of its own running the app). */
export function isOwnFrame(line: string): boolean {
  return line.includes(OWN_DIST) || OWN_PACKAGES.test(line)
}

/** The stack without hotcell's own frames; the message lines stay. */
export function withoutOwnFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => !/^\s+at /.test(line) || !isOwnFrame(line))
    .join('\n')
}
