// An import a failed build could not find: a relative specifier resolved to
// an absolute path (builder.ts's `missing`), with no extension tried. Which
// files would fix it, generously: a false match costs one build, which finds
// the same error; a missed one leaves the error page up after the fix.
import { readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, sep } from 'node:path'

// `./util.js` names util.ts too, as TypeScript allows.
const JS_EXTENSION = /\.[cm]?jsx?$/

/** Would a file at `path` resolve the import of `target`? That name, the name with an extension, or a file in a folder of that name. */
export function wouldResolve(target: string, path: string): boolean {
  if (path === target || path.startsWith(target + sep)) return true
  return dirname(path) === dirname(target) && basename(path).startsWith(stemOf(target) + '.')
}

/** The file that resolves the import of `target` now, if one does (a folder's index file, or the folder). */
export function resolvedNow(target: string): string | undefined {
  const stats = statSync(target, { throwIfNoEntry: false })
  if (stats?.isDirectory()) return withStem(target, 'index') ?? target
  if (stats) return target
  return withStem(dirname(target), stemOf(target))
}

function stemOf(target: string): string {
  return basename(target).replace(JS_EXTENSION, '')
}

/** A file in `dir` named `stem` with an extension. */
function withStem(dir: string, stem: string): string | undefined {
  try {
    const name = readdirSync(dir).find((name) => name.startsWith(stem + '.'))
    return name === undefined ? undefined : join(dir, name)
  } catch {
    return undefined
  }
}
