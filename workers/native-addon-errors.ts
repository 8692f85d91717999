const { dirname, join } = process.getBuiltinModule('node:path')
// Node's ERR_DLOPEN_FAILED for a native addon, and what to do, which no save
// can be: the message hotcell adds after Node's. Two cases have a cause Node
// does not name:
// - NODE_MODULE_VERSION: built for another Node version (installed under
//   Node 20, run under Node 24): a rebuild under this Node fixes it;
// - "Module did not self-register": an addon that is not context-aware
//   (a legacy NODE_MODULE) registers itself when its library is mapped, and
//   Node does not support it in more than one thread of a process; hotcell
//   imports the code in new worker threads on each save, and in each of
//   --workers: with one worker, every other save failed so (Node 20 and 24),
//   with two, one of the two at start. The same message follows an earlier
//   failed load of that file in this process (the wrong-version one): the
//   library stays mapped.
// Either way only a new server process loads it; the terminal's last line
// says how (report/serving-state.ts reads the words "then restart").

// Not an ESM import of node:fs in a worker (docs/architecture.md#builtins).
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs')

/** The sentence that follows a wrong-version error's command, which serving-state.ts finds by its first words. */
export const RESTART_AFTER = 'then restart the server'

/** What to add to an ERR_DLOPEN_FAILED message (empty when hotcell knows no more than Node said). */
export function nativeAddonHint(message: string): string {
  if (/NODE_MODULE_VERSION/.test(message)) {
    const pkg = /.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/s.exec(message)?.[1]?.replace('\\', '/')
    const rebuild = pkg ? `npm rebuild ${pkg}` : 'npm rebuild'
    return (
      `\nIt was built for another Node version than the one running hotcell (${process.version}). Rebuild it for this one: ${rebuild}; ` +
      `${RESTART_AFTER} process: the failed load stays in this one, so a reload cannot load the rebuilt file, and a new process does`
    )
  }
  const file = /did not self-register: '([^']+\.node)'/.exec(message)?.[1]
  if (!file) return ''
  const pkg = packageOf(file)
  const what = pkg ? `${pkg} (${file})` : file
  return (
    `\n${what} is a native addon that is not context-aware (a legacy NODE_MODULE, not N-API): Node does not support loading it in more than ` +
    'one thread of a process, and hotcell imports your code in new worker threads on each save (and in each of --workers), so its load ' +
    'fails in some of them. Use a version of ' +
    `${pkg ?? 'the addon'} built with N-API (node-addon-api) or otherwise context-aware, one that supports worker threads; or run the app ` +
    'with a tool that starts a new process for each change (node --watch, tsx watch). ' +
    '(The same error follows an earlier failed load of this file in this process, one built for another Node version: then a new server process loads it.)'
  )
}

/** The name in the nearest package.json above `file`: the addon's package, installed under node_modules or linked (file:). */
function packageOf(file: string): string | undefined {
  for (let dir = dirname(file), depth = 0; depth < 8; depth++) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name
        return typeof name === 'string' && name ? name : undefined
      } catch {
        return undefined
      }
    }
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
  return undefined
}
