// `npm start`'s build: the whole build (npm run build, ~10-20 s: tsc over
// src, workers, test and bench, then the bundles) only when something it
// reads changed since dist/ was built. A second `npm start` then starts at
// once. `npm test` and `npm run build` always build afresh.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

// The build's last outputs: all present and newer than every input, or it builds.
const OUTPUTS = ['dist/src/cli/hotcell.cjs', 'dist/src/cli/hotcell-server.cjs', 'dist/src/cli/hotcell-server-main.cjs', 'dist/workers/bundle/runtime.js']
const INPUT_FOLDERS = ['src', 'workers', 'test', 'bench']
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json']

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs
// Folders too: deleting a file changes its folder's time.
const inputs = [...INPUT_FILES, ...INPUT_FOLDERS, ...INPUT_FOLDERS.flatMap((dir) => readdirSync(dir, { recursive: true }).map((name) => join(dir, name)))]
const built = Math.min(...OUTPUTS.map((path) => mtime(path) ?? -1))
const newest = Math.max(...inputs.map((path) => mtime(path) ?? 0))

if (built > newest) {
  console.log('hotcell is built: dist/ is newer than its sources (npm run build builds it again)')
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const { status } = spawnSync(npm, ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' })
  process.exit(status ?? 1)
}
