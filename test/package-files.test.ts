// The lockfile's entry for this package must say what package.json says: a
// fresh clone's `npm install` otherwise rewrites it, and the clone starts
// with a changed file the user did not touch.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ROOT } from './helpers.js'

const read = (name: string) => JSON.parse(readFileSync(join(ROOT, name), 'utf8'))

test("package-lock.json's entry for hotcell matches package.json (run npm install --package-lock-only after editing package.json)", () => {
  const pkg = read('package.json')
  const locked = read('package-lock.json').packages['']
  for (const field of ['name', 'version', 'bin', 'engines', 'dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    let declared = pkg[field]
    // npm writes bin as an object of paths without a leading ./
    if (field === 'bin' && declared !== undefined) {
      const bins: Record<string, string> = typeof declared === 'string' ? { [pkg.name]: declared } : declared
      declared = Object.fromEntries(Object.entries(bins).map(([name, path]) => [name, path.replace(/^\.\//, '')]))
    }
    assert.deepEqual(locked[field], declared, field)
  }
})
