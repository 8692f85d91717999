// The files a build leaves for the workers: the bundle and its source map,
// and the preload module a standby imports before the bundle exists. Each
// starts with the same banner.
import { createHash } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { remakeBuildDir } from './build-dirs.js'

// esbuild's ESM output turns `require()` of an external package in a CommonJS
// source file into a call that throws "Dynamic require is not supported"
// (evanw/esbuild#1921); a real `require` in scope makes it work.
export const REQUIRE_SHIM = "import { createRequire as __hotcellCreateRequire } from 'node:module'; const require = __hotcellCreateRequire(import.meta.url);"

// Outputs up to this size are written synchronously: writing a few hundred
// KB into the page cache takes well under a millisecond, and each async
// writeFile is four round trips through libuv's thread pool (open, write,
// close...), which took 0.9 ms of a reload for a two-file app (Node 20, 2
// cores busy with esbuild and the worker). Larger outputs do not hold up
// this thread, which is also serving requests.
const SYNC_WRITE_BYTES = 4 * 1024 * 1024

/**
 * Names are content hashes: a file that exists already has these bytes (a
 * revert), and a worker may be importing it right now, so it is left alone.
 * Resolves with the paths it wrote.
 */
export async function writeOutputs(files: readonly { path: string; contents: Uint8Array }[]): Promise<string[]> {
  const fresh = files.filter((file) => !existsSync(file.path))
  // Its folder may have been deleted since the last build (build-dirs.ts): one look per folder, and at most one per build.
  for (const dir of new Set(fresh.map((file) => dirname(file.path)))) if (!existsSync(dir)) remakeBuildDir(dir)
  if (fresh.reduce((bytes, file) => bytes + file.contents.byteLength, 0) <= SYNC_WRITE_BYTES) {
    for (const file of fresh) writeFileSync(file.path, file.contents)
  } else await Promise.all(fresh.map((file) => writeFile(file.path, file.contents)))
  return fresh.map((file) => file.path)
}

// Importing a module with the bundle's banner and a source map runs, once per
// worker, the code paths the bundle's import would otherwise run cold (the
// require shim, Node's source-map cache): the first bundle import took 3.2 ms
// instead of 4.8 ms (median of 15 fresh processes).
const PRELOAD_SOURCE_MAP = `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ version: 3, sources: ['hotcell-preload'], names: [], mappings: 'AAAA' })).toString('base64')}\n`

/**
 * The preload module imports packages (and builtins) exactly as the bundle does: from the
 * same folder (so they resolve from the project, wherever hotcell is
 * installed), statically and in the same order (so they evaluate in the
 * order the bundle would evaluate them). Dynamic imports are left out: the
 * app may never make them.
 */
export function writePreload(outDir: string, imports: readonly { path: string; kind: string; external?: boolean }[], required: readonly string[] = []): string {
  // Builtins too: the first ES import of one builds its module namespace in the worker, and on Node 24 that of
  // node:http loads undici (15-26 ms): in the standby's boot, not in the reload's import of the bundle.
  const specifiers = [...new Set(imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => i.path))]
  // `required`: CommonJS packages the bundle requires as it is evaluated, after its imports (commonjs-packages.ts).
  const lines = [...specifiers.map((s) => `import ${JSON.stringify(s)}\n`), ...required.map((s) => `require(${JSON.stringify(s)})\n`)]
  const source = `${REQUIRE_SHIM}\n${lines.join('')}${PRELOAD_SOURCE_MAP}`
  const file = join(outDir, `preload-${createHash('sha256').update(source).digest('hex').slice(0, 8)}.mjs`)
  if (!existsSync(file)) writeFileSync(file, source)
  return file
}
