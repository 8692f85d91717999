// Whose code a stack frame is: the developer's (shown with source), a
// package's, or hotcell's own machinery (hidden). One answer for the text
// page, the Youch page, the code frame and the stuck location.
import { isAbsolute, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export type { ProjectRoots } from '../../workers/stack-lines.js'
import type { ProjectRoots } from '../../workers/stack-lines.js'

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

// Which frames are hotcell's and how a frame's paths are shown: the workers print logged errors with them too.
export { isOwnFrame, shortenFrame, withoutOwnFrames } from '../../workers/stack-lines.js'
