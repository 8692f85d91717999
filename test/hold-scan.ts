// A watcher's scan held still, as on a large or slow disk: what is saved
// before it ends has no event (start-scan.test.ts, scan-gap.test.ts).
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { sep } from 'node:path'
import { cleanup } from './helpers.js'

const fsPromises = createRequire(import.meta.url)('node:fs/promises') as typeof import('node:fs/promises')

/**
 * Until `release()`, fs/promises stat and lstat of paths in `dir` wait: chokidar's
 * scan (the only caller there: esbuild reads in its own process, the reloader
 * stats synchronously) cannot see the folder, as on a large or slow disk.
 */
export function holdScan(dir: string): { held: () => number; release: () => void } {
  const original = { stat: fsPromises.stat, lstat: fsPromises.lstat }
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let held = 0
  const gate =
    (call: (...args: never[]) => Promise<unknown>) =>
    async (...args: unknown[]) => {
      const path = String(args[0])
      if (path === dir || path.startsWith(dir + sep)) {
        held++
        await released
      }
      return Reflect.apply(call, fsPromises, args)
    }
  Object.assign(fsPromises, { stat: gate(original.stat), lstat: gate(original.lstat) })
  syncBuiltinESMExports()
  const restore = () => {
    release()
    Object.assign(fsPromises, original)
    syncBuiltinESMExports()
  }
  cleanup(restore)
  return { held: () => held, release: restore }
}
