const { dirname, join, relative, sep } = process.getBuiltinModule('node:path')
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url')
// Whose code a stack line is (hotcell's own machinery, hidden from the
// developer) and how its paths are shown. Shared by the main thread's reports
// (src/report/source-files.ts) and the worker, which prints the errors the
// app logs the same way (logged-stacks.ts): pure, so it may load in both.

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
const OWN_DIST = ownDist(fileURLToPath(import.meta.url))
// ...and as ESM frames name it: a file: URL, where a space or a non-ASCII
// letter in the install's path is percent-encoded.
const OWN_DIST_URL = pathToFileURL(OWN_DIST).href
// Where piscina, which runs the worker, is when npm hoists it into the project's node_modules.
const OWN_PACKAGES = /[\\/]node_modules[\\/]piscina[\\/]/
// A frame still in the bundle after source mapping is esbuild's own helper
// code (__require, __commonJS, __toESM…): the app's frames map to its files.
const BUNDLE_HELPER = /(^|[\s(/\\])\.hotcell[\\/][^\\/]+[\\/][^\\/]+\.mjs:\d+/

/**
 * dist/ of hotcell's install, from where this code runs: dist/src/report,
 * dist/workers, dist/workers/bundle, dist/src/cli (a bundle): the last dist
 * folder of the path.
 */
function ownDist(file: string): string {
  const at = file.lastIndexOf(`${sep}dist${sep}`)
  return at >= 0 ? file.slice(0, at + 6) : join(dirname(dirname(file)), 'dist') + sep
}

/**
 * A stack line with the paths under the roots shown as `shownPath` does:
 * each root's prefix, as a path or as a file: URL, where a frame's location
 * starts (not inside a longer path that happens to contain it).
 */
export function shortenFrame(frame: string, roots: ProjectRoots): string {
  let shown = frame
  for (const [prefix, to] of replacements(roots)) shown = shown.replace(prefix, (_, before: string) => before + to)
  return shown.replace(PACKAGE_ABOVE, (whole, before: string, url: string | undefined, path: string) => {
    const rel = relative(roots.cwd, url ? safePath(url + path) : path)
    return rel.startsWith(FAR_ABOVE) ? whole : before + rel
  })
}

// A package's file outside the roots, as in a monorepo run from apps/web (the
// workspace's node_modules, or pnpm's store in it): shown relative to the
// working folder as the project's own files are, `../../node_modules/hono/...`,
// not as a 100-character file: URL. Not four folders up or more (a global
// install): that path is clearer whole.
const PACKAGE_ABOVE = /(^|[\s(])(file:\/\/)?(\/[^\s():]*\/node_modules\/[^\s():]+)/g
const FAR_ABOVE = `..${sep}..${sep}..${sep}..${sep}`

function safePath(url: string): string {
  try {
    return fileURLToPath(url)
  } catch {
    return url
  }
}

// Made once per roots: a worker printing an Error the app logs on every request ran this for each of its lines.
// Made again when they change: a server's roots grow with the packages a later build links (source-packages.ts).
const made = new WeakMap<ProjectRoots, { dirs: readonly string[]; list: [RegExp, string][] }>()

/** Each root's prefixes (longest root first), and what they become. */
function replacements(roots: ProjectRoots): [RegExp, string][] {
  const dirs = roots.dirs
  const cached = made.get(roots)
  if (cached && cached.dirs.length === dirs.length && cached.dirs.every((dir, i) => dir === dirs[i])) return cached.list
  const list: [RegExp, string][] = []
  for (const root of [...dirs].sort((a, b) => b.length - a.length)) {
    const rel = relative(roots.cwd, root)
    const to = rel ? rel + sep : ''
    for (const prefix of [pathToFileURL(root).href + '/', root + sep]) list.push([new RegExp(`(^|[\\s(])${escapeRegExp(prefix)}`, 'g'), to])
  }
  made.set(roots, { dirs, list })
  return list
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
// Colour codes around a line are allowed: util.inspect(error, { colors: true })
// greys Node's frames (logged-stacks.ts).
const SGR = `(?:${String.fromCharCode(27)}\\[[\\d;]*m)*`
/** An `at …` line of a stack. */
export const FRAME_LINE = new RegExp(`^${SGR}\\s+at `)
const CALLED_THROUGH = new RegExp(`^${SGR}\\s+at (?:AsyncLocalStorage\\.run \\(node:|.*\\(<anonymous>\\)${SGR}$)`)

/** The stack without hotcell's own frames (and Node's frames it called through); the message lines stay. */
export function withoutOwnFrames(stack: string): string {
  const lines = stack.split('\n')
  const frame = (line: string) => FRAME_LINE.test(line)
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
