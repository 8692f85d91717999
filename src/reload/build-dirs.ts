// Where bundles are written: a `.hotcell/` folder next to the entry's
// package.json (so that the bundle's bare imports resolve from the project's
// node_modules), with a folder per hotcell process; the folders of processes
// that are gone are removed at the next start.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** What `.hotcell/.gitignore` holds: nothing in the folder is ever committed. */
const BUILD_GITIGNORE = '# hotcell build output\n*\n'

/**
 * A build's output folder, deleted while the server runs (`rm -rf .hotcell`,
 * `git clean -fdx`, "clear the cache"): made again, with `.hotcell/.gitignore`,
 * before the build's files are written into it.
 */
export function remakeBuildDir(dir: string): void {
  mkdirSync(dir, { recursive: true })
  const gitignore = join(dirname(dir), '.gitignore')
  if (basename(dirname(dir)) === '.hotcell' && !existsSync(gitignore)) writeFileSync(gitignore, BUILD_GITIGNORE)
}

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
