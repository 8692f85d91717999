// Where bundles are written: a `.hotcell/` folder next to the entry's
// package.json (so that the bundle's bare imports resolve from the project's
// node_modules), with a folder per hotcell process; the folders of processes
// that are gone are removed at the next start.
import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** The folder of the nearest package.json above the entry (the entry's own folder if none). */
export function packageRoot(entry: string): string {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return dirname(entry)
  }
}

/** Output folders of hotcell processes that are gone (killed, crashed). */
export async function removeStaleDirs(cacheDir: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1])
    if (pid && !isAlive(pid)) await rm(join(cacheDir, name), { recursive: true, force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
