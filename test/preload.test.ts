// The preload module a standby imports before its bundle exists
// (reload/build-output.ts): the bundle's static imports of packages and of
// builtins, in its order, so that their cost is paid in the standby's boot
// and not in the reload's import of the bundle.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { writePreload } from '../src/reload/build-output.js'

const dir = mkdtempSync(join(tmpdir(), 'hotcell-preload-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test("the preload imports the bundle's packages and builtins, in order, once each; not its dynamic imports nor its own files", () => {
  const file = writePreload(dir, [
    { path: 'hono', kind: 'import-statement', external: true },
    // On Node 24 the first ES import of node:http loads undici (15-26 ms): a reload's import must not pay it.
    { path: 'node:http', kind: 'import-statement', external: true },
    { path: 'fs', kind: 'import-statement', external: true },
    { path: 'hono', kind: 'import-statement', external: true },
    { path: 'zod', kind: 'dynamic-import', external: true },
    { path: 'src/routes.ts', kind: 'import-statement' },
  ])
  const imports = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('import "'))
  assert.deepEqual(imports, ['import "hono"', 'import "node:http"', 'import "fs"'])
})
